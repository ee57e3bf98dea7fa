//! Recording a hearing in a real browser (Debian's Chromium, 360 px, axe on every page): the
//! monitor's home, the observation form generated from the methodology, conditions shown and
//! hidden exactly as the server's `applies` decides, errors in Albanian next to their question,
//! a language switch mid-form, a draft surviving a closed tab, a conflict shown and resolved, and
//! a whole observation entered and submitted with the keyboard alone; on each backend.

use std::time::Duration;

use chrono::Utc;
use courtwatch_api::web::form;
use courtwatch_methodology::{Registry, Scope};
use courtwatch_tests::{Backend, TestApp, backends};
use fantoccini::{Locator, key::Key};
use serde_json::{Map, Value, json};

use super::browser::{Driver, PASSWORD, Window, axe_source, driver, window};

const ORGANISATION: &str = "Test Coalition (fictional)";

/// A monitor of the test organisation who has a password; returns their e-mail address.
pub(crate) async fn monitor(app: &TestApp) -> String {
    person(
        app,
        "Field Monitor (fictional)",
        "monitor",
        "field.monitor@example.org",
    )
    .await
}

/// A user of the test organisation with `role` and a password; returns `email`.
async fn person(app: &TestApp, name: &str, role: &str, email: &str) -> String {
    app.person(name, ORGANISATION, role, email, PASSWORD).await
}

/// What the page shows: the codes of the visible questions, and the form's fields.
async fn shown(window: &Window) -> (Vec<String>, Vec<String>, Vec<(String, String)>) {
    let found = window
        .client
        .execute(
            "const f = document.getElementById('cw-form');\
             const shown = [], hidden = [];\
             document.querySelectorAll('[data-q]').forEach(e => (e.hidden ? hidden : shown).push(e.dataset.q));\
             const pairs = []; new FormData(f).forEach((v, k) => pairs.push([k, String(v)]));\
             return [shown, hidden, pairs];",
            vec![],
        )
        .await
        .expect("script");
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let pairs = found[2]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    (
                        p[0].as_str().unwrap_or_default().to_owned(),
                        p[1].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (strings(&found[0]), strings(&found[1]), pairs)
}

async fn focused(window: &Window) -> Value {
    window
        .client
        .execute(
            "const e = document.activeElement; if (!e) return null;\
             return {tag: e.tagName, type: e.type || '', name: e.name || '', value: e.value || '',\
                     id: e.id || '', min: e.min || '', goto: e.closest('.actions') ? 'action' : (e.closest('.sections') ? 'nav' : ''),\
                     checked: !!e.checked};",
            vec![],
        )
        .await
        .expect("script")
}

pub(crate) async fn section_of(window: &Window) -> String {
    window
        .client
        .execute(
            "const s = document.querySelector('input[name=section]'); return s ? s.value : '';",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

async fn press(window: &Window, key: &str) {
    window
        .client
        .active_element()
        .await
        .expect("focus")
        .send_keys(key)
        .await
        .expect("key");
}

/// Enters the whole observation with the keyboard: Tab from question to question, the arrow
/// keys for radio buttons and selects, Space for the first box of a multiple choice, typing for
/// numbers and text; Enter on "next section", and on "Submit" at the end.
pub(crate) async fn enter_by_keyboard(window: &Window, mut after_section: impl FnMut(usize)) {
    let tab = char::from(Key::Tab).to_string();
    let down = char::from(Key::Down).to_string();
    let enter = char::from(Key::Enter).to_string();
    let mut boxes_done: Vec<String> = Vec::new();
    let mut sections = 0;
    for _ in 0..1500 {
        let f = focused(window).await;
        let name = f["name"].as_str().unwrap_or_default().to_owned();
        let kind = f["type"].as_str().unwrap_or_default();
        if f["goto"] == "action" && kind == "submit" {
            let value = f["value"].as_str().unwrap_or_default();
            if name == "goto" {
                let before = section_of(window).await;
                press(window, &enter).await;
                sections += 1;
                for _ in 0..100 {
                    let now = section_of(window).await;
                    if !now.is_empty() && now != before {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                after_section(sections);
                continue;
            }
            if value == "submit" {
                press(window, &enter).await;
                return;
            }
        } else if name.starts_with("q.") && f["goto"] == "" {
            match kind {
                "radio" if f["value"] == "" && f["checked"] == true => press(window, &down).await,
                "checkbox" if !boxes_done.contains(&name) => {
                    press(window, " ").await;
                    boxes_done.push(name);
                }
                "select-one" if f["value"] == "" => press(window, &down).await,
                "number" if f["value"] == "" => {
                    let min = f["min"].as_str().filter(|m| !m.is_empty()).unwrap_or("1");
                    let value = if min == "0" { "45" } else { min };
                    press(window, value).await;
                }
                "textarea" if f["value"] == "" => {
                    press(
                        window,
                        "Fictional account, in roles: the judge warned the public.",
                    )
                    .await
                }
                _ => {}
            }
        }
        press(window, &tab).await;
    }
    let url = window.client.current_url().await.map(|u| u.to_string());
    panic!(
        "the keyboard never reached Submit (after {sections} sections) at {url:?}; the page says:\n{}",
        window.text().await
    );
}

async fn story(backend: Backend, driver: &Driver, axe: &str) {
    let app = TestApp::spawn(backend).await;
    let m = Registry::published().latest();
    let email = monitor(&app).await;
    let (case_id, _) = app
        .case("XK", "C.nr. 404/26", &["roma_ashkali_egyptian"])
        .await;
    let yesterday = Utc::now() - chrono::Duration::days(1);
    let (status, hearing) = app
        .post(
            "/hearings",
            &json!({
                "case_id": case_id, "scheduled_at": yesterday.to_rfc3339(),
                "started_at": (yesterday + chrono::Duration::minutes(40)).to_rfc3339(),
                "hearing_type": "main_evidentiary", "outcome": "held",
            }),
        )
        .await;
    assert_eq!(status, 201, "{hearing}");
    let hearing_id = hearing["id"].as_str().expect("id").to_owned();

    // The monitor signs in; home lists the hearing to record.
    let w = window(driver, &app, axe).await;
    w.sign_in(&email, PASSWORD).await;
    w.wait_for_text("Hearings to record").await;
    w.check("monitor-home").await;
    w.click(&format!("a[href='/observations/new?hearing={hearing_id}']"))
        .await;
    w.wait_for_text("State: ").await;
    w.check("observation-first-section").await;
    let url = w.client.current_url().await.expect("url");
    let observation_id = url.path().trim_start_matches("/observations/").to_owned();

    // Conditions: what the page shows is what the server's `applies` says, for many answers.
    w.click("button[name=goto][value=fair_trial]").await;
    w.wait_for_text("Were the public and monitors admitted")
        .await;
    let drivers = [
        "public_excluded",
        "prejudicial_remarks",
        "counsel_present",
        "interpreter_needed",
        "interpreter_provided",
        "minutes_kept",
        "protection_measures_used",
        "order_disrupted",
    ];
    let choices = ["yes", "no", "unknown", ""];
    let mut fields = Map::new();
    fields.insert("hearing_outcome".into(), json!("held"));
    fields.insert("hearing_type".into(), json!("main_evidentiary"));
    for round in 0..10 {
        for (i, code) in drivers.iter().enumerate() {
            let value = choices[(round * 7 + i * 3) % choices.len()];
            let css = format!("#q-{code}:not([hidden]) input[value='{value}']");
            if let Ok(input) = w.client.find(Locator::Css(&css)).await {
                input.click().await.expect("click");
            }
        }
        let (visible, hidden, pairs) = shown(&w).await;
        let mut merged = form::read_answers(m, Scope::Observation, "fair_trial", &pairs);
        merged.extend(fields.clone());
        for q in m
            .questions_for(Scope::Observation)
            .filter(|q| q.section == "fair_trial")
        {
            let expected = m.applies(q, &merged);
            assert_eq!(
                visible.contains(&q.code),
                expected,
                "round {round}: {} shown by the page = {}, applies = {expected}; answers {merged:?}",
                q.code,
                visible.contains(&q.code)
            );
            assert_ne!(visible.contains(&q.code), hidden.contains(&q.code));
        }
    }
    // An answer whose question became hidden: the page says it will go.
    w.click("#q-interpreter_needed input[value='yes']").await;
    w.click("#q-interpreter_provided input[value='yes']").await;
    w.click("#q-interpreter_needed input[value='no']").await;
    w.wait_for_text("will be removed").await;
    w.check("observation-dropping").await;

    // Errors in Albanian, next to the question; nothing typed is lost.
    w.open(&format!(
        "/observations/{observation_id}?section=hearing_facts&lang=sq"
    ))
    .await;
    w.wait_for_text("Gjendja").await;
    w.fill("i-duration_minutes", "5000").await;
    w.click("button[name=action][value=save]").await;
    let text = w.wait_for_text("Nuk u ruajt").await;
    assert!(
        !text.contains("must be"),
        "the problem is said in Albanian: {text}"
    );
    let kept = w
        .client
        .find(Locator::Css("#i-duration_minutes[aria-invalid=true]"))
        .await
        .expect("the field is marked")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(
        kept.as_deref(),
        Some("5000"),
        "the refused value is shown again"
    );
    w.check("observation-error-sq").await;

    // A language switch mid-form keeps the answer typed a moment ago and the place in the form.
    w.fill("i-duration_minutes", "95").await;
    w.click(".langs button[value='sr-Latn']").await;
    w.wait_for_text("Stanje").await;
    let url = w.client.current_url().await.expect("url");
    assert!(url.as_str().contains("section=hearing_facts"), "{url}");
    let value = w
        .client
        .find(Locator::Id("i-duration_minutes"))
        .await
        .expect("field")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(value.as_deref(), Some("95"));
    w.check("observation-language-switched").await;
    w.open(&format!(
        "/observations/{observation_id}?section=hearing_facts&lang=en"
    ))
    .await;

    // A draft survives a closed tab: type, close the tab at once, open the form again.
    let first_tab = w.client.window().await.expect("tab");
    let other = w.client.new_window(true).await.expect("new tab");
    w.client
        .switch_to_window(first_tab.clone())
        .await
        .expect("switch");
    w.click("button[name=goto][value=discrimination_indicators]")
        .await;
    w.wait_for_text("Was the discriminatory ground discussed")
        .await;
    w.click("#q-hostile_groups_present input[value='yes']")
        .await;
    w.fill(
        "i-hostile_groups_description",
        "A fictional group stood at the door.",
    )
    .await;
    w.client.close_window().await.expect("tab closed");
    w.client
        .switch_to_window(other.handle)
        .await
        .expect("switch");
    // The page sends what it has when the tab goes; had that not arrived, the copy kept in the
    // browser's storage is sent when the form is opened again.
    let mut stored = Value::Null;
    for attempt in 0..80 {
        if attempt == 20 {
            w.open(&format!(
                "/observations/{observation_id}?section=discrimination_indicators"
            ))
            .await;
        }
        let (_, o) = app.get(&format!("/observations/{observation_id}")).await;
        if o["answers"]["hostile_groups_description"].is_string() {
            stored = o;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        stored["answers"]["hostile_groups_description"], "A fictional group stood at the door.",
        "the closed tab's last words reached the server"
    );

    // Someone else saves meanwhile: the monitor's save shows both versions and lets them choose.
    w.open(&format!(
        "/observations/{observation_id}?section=discrimination_indicators"
    ))
    .await;
    w.wait_for_text("Was the discriminatory ground discussed")
        .await;
    let mut theirs = stored["answers"].clone();
    theirs["victim_informed"] = json!("no");
    let (status, _) = app
        .put(
            &format!("/observations/{observation_id}"),
            &json!({"hearing_id": hearing_id, "answers": theirs}),
        )
        .await;
    assert_eq!(status, 200);
    w.click("#q-victim_informed input[value='yes']").await;
    w.click("button[name=action][value=save]").await;
    w.wait_for_text("The record changed while you were writing")
        .await;
    w.check("observation-conflict").await;
    w.click("form button.primary").await;
    w.wait_for_text("State: ").await;
    let (_, o) = app.get(&format!("/observations/{observation_id}")).await;
    assert_eq!(
        o["answers"]["victim_informed"], "yes",
        "the monitor kept theirs"
    );

    // A whole observation with the keyboard alone, on a second hearing.
    let (status, second) = app
        .post(
            "/hearings",
            &json!({
                "case_id": case_id, "scheduled_at": yesterday.to_rfc3339(),
                "started_at": (yesterday + chrono::Duration::minutes(30)).to_rfc3339(),
                "hearing_type": "preparatory", "outcome": "held",
            }),
        )
        .await;
    assert_eq!(status, 201, "{second}");
    let second_id = second["id"].as_str().expect("id").to_owned();
    w.open(&format!("/observations/new?hearing={second_id}"))
        .await;
    w.wait_for_text("State: ").await;
    enter_by_keyboard(&w, |_| {}).await;
    w.wait_for_text("submitted for review").await;
    w.check("observation-submitted").await;
    let (_, list) = app
        .get(&format!("/observations?hearing_id={second_id}"))
        .await;
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "exactly one record: {list}");
    assert_eq!(items[0]["status"], "submitted");
    let answered = items[0]["answers"].as_object().map(Map::len).unwrap_or(0);
    assert!(
        answered >= 40,
        "every question asked was answered: {answered}"
    );

    let observation = items[0]["id"].as_str().expect("id").to_owned();
    review_round_trip(&app, driver, axe, &w, &case_id, &observation).await;

    w.client.close().await.expect("closed");
}

/// A coordinator returns the observation with a comment on one question, the monitor fixes it
/// and submits again, the coordinator grades and publishes the case and publishes the
/// observation; a researcher then reads it through the API, redacted.
async fn review_round_trip(
    app: &TestApp,
    driver: &Driver,
    axe: &str,
    monitor: &Window,
    case_id: &str,
    observation: &str,
) {
    let m = Registry::published().latest();
    // The victim's fictional name is a sensitive term of the case.
    let (status, body) = app
        .put(
            &format!("/cases/{case_id}/sensitive-terms"),
            &json!({"terms": [{"term": "Arbena Fiktive", "kind": "name"}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, record) = app.get(&format!("/observations/{observation}")).await;
    let code = record["answers"]
        .as_object()
        .expect("answers")
        .iter()
        .find(|(code, v)| {
            v.as_str()
                .is_some_and(|t| t.starts_with("Fictional account"))
                && m.question(code).is_some_and(|q| q.field.is_none())
        })
        .map(|(code, _)| code.clone())
        .expect("a text answer to comment on");
    let section = m.question(&code).expect("question").section.clone();

    let email = person(
        app,
        "Review Coordinator (fictional)",
        "coordinator",
        "review.coordinator@example.org",
    )
    .await;
    let c = window(driver, app, axe).await;
    c.sign_in(&email, PASSWORD).await;
    c.wait_for_text("Review").await;
    c.click("a[href='/review']").await;
    c.wait_for_text("Observations waiting for review").await;
    c.check("review-queue").await;
    c.click(&format!("a[href='/review/observations/{observation}']"))
        .await;
    c.wait_for_text("Return to the monitor").await;
    c.check("review-observation").await;
    // Returning needs a comment; publishing needs the case published first.
    c.click("button[name=action][value=return]").await;
    c.wait_for_text("Write at least one comment").await;
    c.click("button[name=action][value=publish]").await;
    c.wait_for_text("publish the case first").await;
    c.fill(
        &format!("c-{code}"),
        "Name who warned the public: the judge or the prosecutor?",
    )
    .await;
    c.click("button[name=action][value=return]").await;
    c.wait_for_text("Returned to the monitor with your comments")
        .await;
    let (_, returned) = app.get(&format!("/observations/{observation}")).await;
    assert_eq!(returned["status"], "returned", "{returned}");

    // The monitor finds it on home with the comment, next to its question in the form.
    monitor.open("/").await;
    monitor
        .wait_for_text("Name who warned the public: the judge or the prosecutor?")
        .await;
    monitor.check("monitor-home-returned").await;
    monitor
        .open(&format!("/observations/{observation}?section={section}"))
        .await;
    let text = monitor.wait_for_text("Reviewer's comment").await;
    assert!(text.contains("Name who warned the public"), "{text}");
    let box_text = monitor
        .client
        .find(Locator::Css(&format!("#q-{code} .comment")))
        .await
        .expect("the comment is next to its question")
        .text()
        .await
        .expect("text");
    assert!(box_text.contains("Name who warned"), "{box_text}");
    monitor.check("observation-returned").await;
    monitor
        .fill(
            &format!("i-{code}"),
            "The judge, addressing Arbena Fiktive's family, warned the public.",
        )
        .await;
    monitor.click("button[name=action][value=submit]").await;
    monitor.wait_for_text("submitted for review").await;

    // The coordinator grades and publishes the case, then publishes the observation.
    let (status, body) = app
        .post(
            &format!("/cases/{case_id}/review"),
            &json!({"action": "submit"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    c.open(&format!("/review/cases/{case_id}")).await;
    c.wait_for_text("Fairness grade").await;
    c.click("input[name=grade][value=B]").await;
    c.click("form[action$='/grade'] button[type=submit]").await;
    c.wait_for_text("Say why").await;
    c.fill(
        "justification",
        "Fictional: the court admitted the public but did not explain the interpreter's absence.",
    )
    .await;
    c.click("form[action$='/grade'] button[type=submit]").await;
    c.wait_for_text("The grade is saved").await;
    c.click("button[name=action][value=publish]").await;
    c.wait_for_text("Published.").await;
    c.check("review-case").await;
    c.open(&format!("/review/observations/{observation}")).await;
    c.wait_for_text("Comment when returned earlier").await;
    c.click("button[name=action][value=publish]").await;
    let text = c.wait_for_text("Published.").await;
    assert!(
        text.contains("publish"),
        "the history names the step: {text}"
    );
    c.check("review-published").await;

    // A researcher of another organisation finds it through the API, redacted.
    let researcher = app
        .user("researcher", "Research Institute (fictional)")
        .await;
    let (status, text) = app
        .get_text_as(&researcher, &format!("/observations/{observation}"))
        .await;
    assert_eq!(status, 200, "{text}");
    let seen: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(seen["status"], "published");
    assert!(
        seen["answers"][&code]
            .as_str()
            .is_some_and(|t| t.contains("The judge, addressing")),
        "{seen}"
    );
    assert!(!text.contains("Arbena"), "the name is masked: {text}");
    assert!(!text.contains("Fiktive"), "the name is masked: {text}");
    let (_, case) = app.get(&format!("/cases/{case_id}")).await;
    assert_eq!(case["fairness_grade"], "B", "{case}");

    // Withdrawn, it is no longer released: the researcher cannot read it any more.
    c.click("button[name=action][value=withdraw]").await;
    c.wait_for_text("Withdrawn from publication.").await;
    let (status, text) = app
        .get_text_as(&researcher, &format!("/observations/{observation}"))
        .await;
    assert!(status == 404 || status == 403, "{status}: {text}");
    assert!(!text.contains("The judge, addressing"), "{text}");
    c.client.close().await.expect("closed");
}

#[tokio::test]
async fn monitors_record_hearings_in_chromium() {
    let axe = axe_source();
    let driver = driver().await;
    for backend in backends() {
        story(backend, &driver, &axe).await;
    }
}
