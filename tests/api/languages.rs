//! Problems in the caller's language: `Accept-Language` chooses English, Albanian or Serbian (Latin
//! or Cyrillic) for the validator's messages, the titles and the 401/404 details; codes and values
//! stay as they are, so a monitor can find them in the form whatever the language.

use courtwatch_tests::{TestApp, on_each_backend};
use serde_json::{Value, json};

async fn invalid_observation(
    app: &TestApp,
    hearing: &str,
    language: Option<&str>,
) -> (String, Value) {
    let mut request = app
        .client
        .post(app.api("/observations"))
        .bearer_auth(&app.token)
        .json(&json!({"hearing_id": hearing, "status": "submitted",
            "answers": {"public_admitted": "maybe", "persons_present": ["judge", "astronaut"]}}));
    if let Some(language) = language {
        request = request.header("Accept-Language", language);
    }
    let response = request.send().await.expect("post");
    assert_eq!(response.status(), 422);
    let content_language = response
        .headers()
        .get("content-language")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (content_language, response.json().await.expect("json"))
}

fn message<'a>(problem: &'a Value, question: &str) -> &'a str {
    problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .find(|e| e["question"] == question)
        .and_then(|e| e["message"].as_str())
        .unwrap_or_else(|| panic!("no problem with {question}: {problem}"))
}

async fn problems_in_the_callers_language(app: &TestApp) {
    let (case, _) = app.case("XK", "C 9/26", &["ethnicity"]).await;
    let hearing = app.hearing(&case).await;

    let (language, english) = invalid_observation(app, &hearing, None).await;
    assert_eq!(language, "en");
    assert_eq!(english["title"], "Invalid content");
    assert_eq!(
        message(&english, "public_admitted"),
        "must be one of yes, no, unknown, got \"maybe\""
    );

    let (language, albanian) =
        invalid_observation(app, &hearing, Some("sq-AL,sq;q=0.9,en;q=0.5")).await;
    assert_eq!(language, "sq");
    assert_eq!(albanian["title"], "Përmbajtje e pavlefshme");
    assert_eq!(
        message(&albanian, "public_admitted"),
        "duhet të jetë një nga yes, no, unknown, u dha \"maybe\""
    );
    assert!(
        message(&albanian, "hate_speech_in_courtroom").contains("është e detyrueshme"),
        "{albanian}"
    );
    // The same problems, the same places, in the same order: only the words change.
    let places = |p: &Value| -> Vec<String> {
        p["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| e["field"].to_string())
            .collect()
    };
    assert_eq!(places(&english), places(&albanian));

    let (language, latin) = invalid_observation(app, &hearing, Some("sr-Latn-RS")).await;
    assert_eq!(language, "sr-Latn");
    assert!(
        message(&latin, "persons_present")
            .starts_with("'astronaut' nije pojam iz rečnika 'person_role'"),
        "{latin}"
    );
    let (language, cyrillic) = invalid_observation(app, &hearing, Some("sr-Cyrl")).await;
    assert_eq!(language, "sr-Cyrl");
    let text = message(&cyrillic, "persons_present");
    assert!(
        text.starts_with(
            "'astronaut' није појам из речника 'person_role'; очекује се једно од: judge,"
        ),
        "{text}"
    );
    assert_eq!(cyrillic["title"], "Неисправан садржај");

    // 401 and 404 too.
    let response = app
        .client
        .get(app.api("/cases"))
        .header("Accept-Language", "sq")
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        body["detail"], "kërkohet një token i vlefshëm bearer",
        "{body}"
    );
    let response = app
        .client
        .get(app.api("/cases/0199c7a0-0000-7000-8000-000000000000"))
        .bearer_auth(&app.token)
        .header("Accept-Language", "sr")
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["title"], "Nije pronađeno", "{body}");
}

on_each_backend!(
    problems_in_the_callers_language_on_each_backend,
    problems_in_the_callers_language
);
