//! A case in a real browser (Debian's Chromium, 360 px, axe on every page), on each backend: a
//! monitor creates it from the methodology's case questions (a refused save keeps what was
//! typed, each problem next to its field), adds a hearing, finds the timeline with the party's
//! pseudonym and the hearing, enters the victim's name as a sensitive term and reads the case
//! "as a researcher sees it", masked. A coordinator of another organisation opens none of these
//! pages and reads no name.

use courtwatch_methodology::{Registry, Scope};
use courtwatch_tests::{Backend, TestApp, backends};
use fantoccini::Locator;
use serde_json::json;

use super::browser::{Driver, PASSWORD, axe_source, driver, window};
use super::recording::monitor;

const VICTIM: &str = "Arbena Fiktive";

async fn story(backend: Backend, driver: &Driver, axe: &str) {
    let app = TestApp::spawn(backend).await;
    let m = Registry::published().latest();
    let court = app.court("Basic Court of Fictional Town", "XK").await;
    let email = monitor(&app).await;
    let w = window(driver, &app, axe).await;
    w.sign_in(&email, PASSWORD).await;
    w.wait_for_text("Hearings to record").await;
    w.click("a[href='/cases']").await;
    w.wait_for_text("New case").await;
    w.click("a[href='/cases/new']").await;
    w.wait_for_text("Save the case").await;
    w.check("case-new").await;

    // Saved with no court and no title: refused, each problem by its field, the typed kept.
    let number = m
        .field_question(Scope::Case, "case_number")
        .expect("case number question")
        .code
        .clone();
    let grounds = m
        .field_question(Scope::Case, "grounds")
        .expect("grounds question")
        .code
        .clone();
    let proceeding = m
        .field_question(Scope::Case, "proceeding_type")
        .expect("proceeding question")
        .code
        .clone();
    w.fill(&format!("i-{number}"), "C.nr. 606/26").await;
    w.click("form#cw-form button.primary").await;
    w.wait_for_text("Not saved").await;
    assert!(
        w.client
            .find(Locator::Css("#i-court_id[aria-invalid=true]"))
            .await
            .is_ok(),
        "the court is marked"
    );
    let kept = w
        .client
        .find(Locator::Id(&format!("i-{number}")))
        .await
        .expect("field")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(kept.as_deref(), Some("C.nr. 606/26"));
    w.check("case-refused").await;

    w.select("i-court_id", &court).await;
    w.fill("i-title", "Fictional: segregated classes").await;
    w.fill(
        "i-summary",
        &format!("Fictional. {VICTIM} was placed in a separate class."),
    )
    .await;
    let css = format!("#q-{proceeding} [value='civil_antidiscrimination']");
    match w.client.find(Locator::Css(&css)).await {
        Ok(e) if e.tag_name().await.expect("tag") == "option" => {
            w.select(&format!("i-{proceeding}"), "civil_antidiscrimination")
                .await
        }
        Ok(e) => e.click().await.expect("chosen"),
        Err(e) => panic!("{css}: {e}"),
    }
    w.click(&format!(
        "#q-{grounds} input[value='roma_ashkali_egyptian']"
    ))
    .await;
    w.click("form#cw-form button.primary").await;
    w.wait_for_text("The case is saved").await;
    let url = w.client.current_url().await.expect("url");
    let case_id = url.path().trim_start_matches("/cases/").to_owned();
    let (status, case) = app.get(&format!("/cases/{case_id}")).await;
    assert_eq!(status, 200, "{case}");
    assert_eq!(case["case_number"], "C.nr. 606/26");
    assert_eq!(case["grounds"], json!(["roma_ashkali_egyptian"]));
    assert_eq!(case["proceeding_type"], "civil_antidiscrimination");

    // A party (through the API), and a hearing added on the page: both on the timeline.
    let (status, party) = app
        .post(
            "/parties",
            &json!({"case_id": case_id, "role": "victim", "kind": "natural_person",
                "pseudonym": "Pupil A", "characteristics": ["ethnicity"], "representation": "ngo_lawyer"}),
        )
        .await;
    assert_eq!(status, 201, "{party}");
    let party_id = party["id"].as_str().expect("id").to_owned();
    w.click("details.card summary").await;
    w.client
        .execute(
            "document.getElementById('h-scheduled_at').value = '2026-11-30T09:30';",
            vec![],
        )
        .await
        .expect("date");
    w.select("h-type", "main_evidentiary").await;
    w.select("h-outcome", "held").await;
    w.click("form[action$='/hearings'] button[type=submit]")
        .await;
    let text = w.wait_for_text("The hearing is added").await;
    assert!(text.contains("Pupil A"), "the party's pseudonym: {text}");
    assert!(
        text.contains("Main hearing, evidence taken"),
        "the hearing: {text}"
    );
    assert!(!text.contains(VICTIM) || text.contains("separate class"));
    w.check("case-timeline").await;
    let (_, hearings) = app.get(&format!("/hearings?case_id={case_id}")).await;
    assert_eq!(hearings["items"].as_array().map(Vec::len), Some(1));

    // The victim's name as a sensitive term; the preview reads the case as a researcher would.
    w.click(&format!("a[href='/cases/{case_id}/sensitive-terms']"))
        .await;
    w.wait_for_text("Preview: as a researcher sees it").await;
    w.fill("t-0-term", VICTIM).await;
    w.select("t-0-party", &party_id).await;
    w.click("form.terms button.primary").await;
    w.wait_for_text("The terms are saved").await;
    let seen: Vec<String> = {
        let found = w
            .client
            .execute(
                "return Array.from(document.querySelectorAll('section.preview > .q > p.answer'))\
                   .map(p => p.textContent);",
                vec![],
            )
            .await
            .expect("script");
        serde_json::from_value(found).expect("texts")
    };
    assert!(
        seen.iter().any(|t| t.contains("Pupil A was placed")),
        "the name is replaced by the pseudonym: {seen:?}"
    );
    assert!(
        seen.iter()
            .all(|t| !t.contains("Arbena") && !t.contains("Fiktive")),
        "no part of the name is left: {seen:?}"
    );
    w.check("case-redaction-preview").await;
    let (_, terms) = app.get(&format!("/cases/{case_id}/sensitive-terms")).await;
    assert_eq!(terms["terms"][0]["term"], VICTIM, "{terms}");

    // The codebook, searched in Albanian, read in Serbian Cyrillic.
    w.open("/codebook?q=p%C3%ABrkthyes&lang=sr-Cyrl").await;
    w.wait_for_text("interpreter_provided").await;
    w.check("codebook").await;
    w.open("/codebook?lang=en").await;

    // Not released, the library has no such case; its own monitor is sent to its own page.
    w.open(&format!("/library/cases/{case_id}")).await;
    w.wait_for_text("Sensitive terms").await;
    let url = w.client.current_url().await.expect("url");
    assert_eq!(url.path(), format!("/cases/{case_id}"));

    // Another organisation's coordinator opens none of these pages and reads no name.
    let other = app
        .person(
            "Other Coordinator (fictional)",
            "Other Coalition (fictional)",
            "coordinator",
            "other.coordinator@example.org",
            PASSWORD,
        )
        .await;
    let o = window(driver, &app, axe).await;
    o.sign_in(&other, PASSWORD).await;
    o.wait_for_text("Welcome").await;
    for path in [
        format!("/cases/{case_id}"),
        format!("/cases/{case_id}/sensitive-terms"),
        format!("/review/cases/{case_id}"),
        // Not released: the library has no such case, for anyone.
        format!("/library/cases/{case_id}"),
    ] {
        o.open(&path).await;
        let text = o.text().await;
        assert!(
            !text.contains("Arbena") && !text.contains("segregated"),
            "{path} shows nothing of the case: {text}"
        );
        assert!(
            text.contains("no such page")
                || text.contains("cannot open")
                || text.contains("no such record"),
            "{path}: {text}"
        );
    }
    o.open("/cases").await;
    let text = o.text().await;
    assert!(!text.contains("606/26"), "not listed: {text}");
    o.client.close().await.expect("closed");
    w.client.close().await.expect("closed");
}

#[tokio::test]
async fn monitors_keep_cases_and_check_their_redaction_in_chromium() {
    let axe = axe_source();
    let driver = driver().await;
    for backend in backends() {
        story(backend, &driver, &axe).await;
    }
}
