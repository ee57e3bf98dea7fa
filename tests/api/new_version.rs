//! A new methodology version gives a new form with no code change. A server whose versions are
//! v1 and a small version 2 made only for this test (`tests/fixtures/methodology-v2-test.toml`)
//! offers version 2's form for a new observation, in Chromium: its sections, its questions with
//! the control of each answer type, its standard, its condition shown and hidden by the page's
//! script; what is entered is stored under version 2. A record made under v1 keeps v1's form.

use courtwatch_methodology::{Methodology, Registry};
use courtwatch_tests::{Backend, TestApp, backends};
use fantoccini::Locator;
use serde_json::json;

use super::browser::{Driver, PASSWORD, axe_source, driver, window};
use super::recording::monitor;

fn registry() -> &'static Registry {
    let v2 = Methodology::from_toml(
        "methodology-v2-test.toml",
        include_str!("../fixtures/methodology-v2-test.toml"),
    )
    .expect("the test's version 2 is a valid methodology");
    let v1 = Registry::published().get(1).expect("v1").clone();
    Box::leak(Box::new(
        Registry::from_versions(vec![v1, v2]).expect("registry"),
    ))
}

async fn story(backend: Backend, driver: &Driver, axe: &str, registry: &'static Registry) {
    let app = TestApp::spawn_with(backend, registry).await;
    let email = monitor(&app).await;
    let court = app.court("Basic Court (fictional)", "XK").await;
    let (status, case) = app
        .post(
            "/cases",
            &json!({
                "court_id": court, "case_number": "C.nr. 2/26", "title": "Fictional test case",
                "proceeding_type": "civil_antidiscrimination", "grounds": ["roma_ashkali_egyptian"],
                "methodology_version": 1, "answers": {"selection_reasons": ["public_interest"]},
            }),
        )
        .await;
    assert_eq!(status, 201, "{case}");
    let hearing = app.hearing(case["id"].as_str().expect("id")).await;
    let (status, old) = app
        .post(
            "/observations",
            &json!({"hearing_id": hearing, "methodology_version": 1}),
        )
        .await;
    assert_eq!(status, 201, "{old}");

    let w = window(driver, &app, axe).await;
    w.sign_in(&email, PASSWORD).await;
    w.wait_for_text("Hearings to record").await;
    w.open(&format!("/observations/new?hearing={hearing}"))
        .await;
    let text = w.wait_for_text("The courtroom (v2)").await;
    for wanted in [
        "Accessibility (v2)",
        "Where was the hearing held? (v2)",
        "Test standard v2",
        "Seats for the public (v2)",
        "0–300 (seats)",
    ] {
        assert!(text.contains(wanted), "'{wanted}' on the v2 form: {text}");
    }
    assert!(
        !text.contains("Fair-trial standards"),
        "no v1 section: {text}"
    );
    // Six places: a select; the hearing's own facts are shown, not asked.
    w.select("i-room_kind", "video").await;
    w.fill("i-room_seats", "12").await;
    assert!(
        w.client
            .find(Locator::Css("#q-hearing_type .field-value"))
            .await
            .is_ok(),
        "the hearing's type is shown from the hearing"
    );
    w.check("v2-form-courtroom").await;
    w.click("button[name=goto][value=accessibility]").await;
    w.wait_for_text("Could a wheelchair user reach the room? (v2)")
        .await;
    let hidden = |code: &'static str| {
        let w = &w;
        async move {
            w.client
                .find(Locator::Id(&format!("q-{code}")))
                .await
                .expect("question")
                .attr("hidden")
                .await
                .expect("attribute")
                .is_some()
        }
    };
    assert!(hidden("barriers").await, "asked only when not step-free");
    w.click("#q-step_free input[value='no']").await;
    assert!(!hidden("barriers").await, "shown at once");
    assert!(!hidden("barrier_note").await);
    w.click("#q-barriers input[value='stairs']").await;
    w.fill("i-barrier_note", "Fictional: the lift was out of order.")
        .await;
    w.check("v2-form-accessibility").await;
    w.click("button[name=action][value=submit]").await;
    w.wait_for_text("submitted for review").await;

    let url = w.client.current_url().await.expect("url");
    let id = url.path().trim_start_matches("/observations/").to_owned();
    let (status, stored) = app.get(&format!("/observations/{id}")).await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored["methodology_version"], 2, "{stored}");
    assert_eq!(stored["status"], "submitted");
    assert_eq!(
        stored["answers"],
        json!({"room_kind": "video", "room_seats": 12, "step_free": "no", "barriers": ["stairs"],
               "barrier_note": "Fictional: the lift was out of order."}),
    );

    // The record made under v1 keeps v1's form.
    w.open(&format!(
        "/observations/{}",
        old["id"].as_str().expect("id")
    ))
    .await;
    let text = w.wait_for_text("Fair-trial standards").await;
    assert!(!text.contains("(v2)"), "{text}");
    w.client.close().await.expect("closed");
}

#[tokio::test]
async fn a_new_methodology_version_gives_a_new_form_with_no_code_change() {
    let axe = axe_source();
    let driver = driver().await;
    let registry = registry();
    for backend in backends() {
        story(backend, &driver, &axe, registry).await;
    }
}
