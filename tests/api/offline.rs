//! Recording with no connection, in a real browser (Debian's Chromium, 360 px, axe on every
//! page): the browser reaches the server through a proxy of this test, which can cut every
//! connection (no connection) or pass requests on and drop their answers (a lost response).
//! The monitor enters half of an observation online and the rest with no connection, submits
//! it, and finds exactly one submitted record on the server with every answer once the
//! connection returns; a save whose answer was lost is sent again and stores no second record;
//! signing out with unsent records warns first. On each backend.

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU8, Ordering},
    },
    time::Duration,
};

use chrono::Utc;
use courtwatch_methodology::{Registry, Scope};
use courtwatch_tests::{Backend, TestApp, backends};
use fantoccini::Locator;
use serde_json::{Map, Value, json};
use tokio::{
    io::AsyncReadExt,
    net::{TcpListener, TcpStream},
    task::AbortHandle,
};

use super::browser::{Driver, PASSWORD, Window, axe_source, driver, window};
use super::recording::{enter_by_keyboard, monitor};

const UP: u8 = 0;
/// Every connection refused, and the open ones cut.
const DOWN: u8 = 1;
/// Requests reach the server; their answers never come back.
const LOSE: u8 = 2;

/// A TCP proxy in front of the server, whose connection the test turns off and on.
struct Proxy {
    base: String,
    mode: Arc<AtomicU8>,
    live: Arc<Mutex<Vec<AbortHandle>>>,
}

impl Proxy {
    async fn start(upstream: &str) -> Self {
        let target: SocketAddr = upstream
            .trim_start_matches("http://")
            .parse()
            .expect("the server's address");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let mode = Arc::new(AtomicU8::new(UP));
        let live: Arc<Mutex<Vec<AbortHandle>>> = Arc::default();
        let (m, l) = (mode.clone(), live.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let now = m.load(Ordering::SeqCst);
                if now == DOWN {
                    drop(client);
                    continue;
                }
                let task = tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(target).await else {
                        return;
                    };
                    if now == LOSE {
                        let (mut from_client, _to_client) = client.split();
                        let (mut from_server, mut to_server) = server.split();
                        let mut first = [0u8; 1];
                        // Passed on; once the server starts answering, the connection is cut.
                        tokio::select! {
                            _ = tokio::io::copy(&mut from_client, &mut to_server) => {}
                            _ = from_server.read(&mut first) => {}
                        }
                        return;
                    }
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                });
                l.lock().expect("lock").push(task.abort_handle());
            }
        });
        Proxy { base, mode, live }
    }

    fn set(&self, mode: u8) {
        self.mode.store(mode, Ordering::SeqCst);
        if mode != UP {
            for task in self.live.lock().expect("lock").drain(..) {
                task.abort();
            }
        }
    }
}

/// The addresses of the pages this browser keeps (the service worker's copy).
async fn kept_pages(w: &Window) -> Vec<String> {
    let found = w
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             caches.open('cw-pages-v1').then(c => c.keys())\
               .then(k => done(k.map(r => new URL(r.url).pathname + new URL(r.url).search)))\
               .catch(() => done([]));",
            vec![],
        )
        .await
        .expect("script");
    found
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Waits until the browser keeps every section of the form `id`.
async fn wait_for_sections(w: &Window, id: &str, sections: &[String]) {
    let mut kept = Vec::new();
    for _ in 0..150 {
        kept = kept_pages(w).await;
        if sections
            .iter()
            .all(|s| kept.contains(&format!("/observations/{id}?section={s}")))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the form's sections were not kept for use with no connection: {kept:?}");
}

async fn badge(w: &Window) -> (bool, String) {
    let found = w
        .client
        .execute(
            "const b = document.getElementById('cw-unsent');\
             return b ? [b.hidden, b.textContent] : [true, ''];",
            vec![],
        )
        .await
        .expect("script");
    (
        found[0].as_bool().unwrap_or(true),
        found[1].as_str().unwrap_or_default().to_owned(),
    )
}

async fn records_of(app: &TestApp, hearing: &str) -> Vec<Value> {
    let (status, list) = app
        .get(&format!("/observations?hearing_id={hearing}"))
        .await;
    assert_eq!(status, 200, "{list}");
    list["items"].as_array().cloned().unwrap_or_default()
}

async fn story(backend: Backend, driver: &Driver, axe: &str) {
    let app = TestApp::spawn(backend).await;
    let proxy = Proxy::start(&app.base).await;
    let m = Registry::published().latest();
    let sections: Vec<String> = m
        .sections
        .iter()
        .filter(|s| s.scope == Scope::Observation)
        .map(|s| s.code.clone())
        .collect();
    let email = monitor(&app).await;
    let (case_id, _) = app
        .case("XK", "C.nr. 505/26", &["roma_ashkali_egyptian"])
        .await;
    let yesterday = Utc::now() - chrono::Duration::days(1);
    let mut hearings = Vec::new();
    for minutes in [30, 50] {
        let (status, hearing) = app
            .post(
                "/hearings",
                &json!({
                    "case_id": case_id, "scheduled_at": yesterday.to_rfc3339(),
                    "started_at": (yesterday + chrono::Duration::minutes(minutes)).to_rfc3339(),
                    "hearing_type": "preparatory", "outcome": "held",
                }),
            )
            .await;
        assert_eq!(status, 201, "{hearing}");
        hearings.push(hearing["id"].as_str().expect("id").to_owned());
    }

    let mut w = window(driver, &app, axe).await;
    w.base = proxy.base.clone();
    w.sign_in(&email, PASSWORD).await;
    w.wait_for_text("Hearings to record").await;
    // Home has the service worker fetch ahead the blank forms of the hearings it lists.
    let mut kept = Vec::new();
    for _ in 0..150 {
        kept = kept_pages(&w).await;
        if hearings
            .iter()
            .all(|h| kept.contains(&format!("/observations/new?hearing={h}")))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        hearings
            .iter()
            .all(|h| kept.contains(&format!("/observations/new?hearing={h}"))),
        "the hearings' forms are kept: {kept:?}"
    );

    // Half online, half with no connection: the connection drops once the second section is
    // open (of the three).
    let first = &hearings[0];
    w.click(&format!("a[href='/observations/new?hearing={first}']"))
        .await;
    w.wait_for_text("State: ").await;
    let url = w.client.current_url().await.expect("url");
    let id = url.path().trim_start_matches("/observations/").to_owned();
    wait_for_sections(&w, &id, &sections).await;
    enter_by_keyboard(&w, |done| {
        if done == 1 {
            proxy.set(DOWN);
        }
    })
    .await;
    w.wait_for_text("Submitted on this device").await;
    let mut shown = (true, String::new());
    for _ in 0..100 {
        shown = badge(&w).await;
        if !shown.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!shown.0 && shown.1.contains("Not sent yet: 1"), "{shown:?}");
    w.check("observation-offline-queued").await;
    let before = records_of(&app, first).await;
    assert!(
        before.iter().all(|r| r["status"] != "submitted"),
        "nothing was submitted while offline: {before:?}"
    );
    // Signing out now warns that records would stay unsent.
    w.click("form.signout button").await;
    let warning = w.client.get_alert_text().await.expect("a warning");
    assert!(warning.contains("not sent yet"), "{warning}");
    w.client.dismiss_alert().await.expect("dismissed");

    // The connection returns: the page sends what it kept, once.
    proxy.set(UP);
    let mut records = Vec::new();
    for _ in 0..300 {
        records = records_of(&app, first).await;
        if records.iter().any(|r| r["status"] == "submitted") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(records.len(), 1, "exactly one record: {records:?}");
    assert_eq!(records[0]["id"], json!(id));
    assert_eq!(records[0]["status"], "submitted", "{records:?}");
    let answers = records[0]["answers"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    assert!(
        answers.len() >= 40,
        "every answer arrived: {}",
        answers.len()
    );
    // Answers of the sections entered offline are there too.
    let offline_part: Map<String, Value> = answers
        .iter()
        .filter(|(code, _)| {
            m.question(code)
                .is_some_and(|q| sections.iter().position(|s| *s == q.section) >= Some(1))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    assert!(
        offline_part.len() >= 10,
        "answers from the offline sections: {offline_part:?}"
    );
    for _ in 0..150 {
        if badge(&w).await.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(badge(&w).await.0, "nothing is unsent any more");

    // A save whose answer is lost: the server has it; sent again, it is still one record.
    let second = &hearings[1];
    w.open(&format!("/observations/new?hearing={second}")).await;
    w.wait_for_text("State: ").await;
    let url = w.client.current_url().await.expect("url");
    let second_id = url.path().trim_start_matches("/observations/").to_owned();
    let code = w
        .client
        .find(Locator::Css(
            "[data-q][data-kind=radio]:not([hidden]):has(input[type=radio])",
        ))
        .await
        .expect("a short choice")
        .attr("data-q")
        .await
        .expect("attribute")
        .expect("a question");
    let choice = w
        .client
        .find(Locator::Css(&format!(
            "#q-{code} input[type=radio]:not([value=''])"
        )))
        .await
        .expect("a choice");
    let chosen = choice.attr("value").await.expect("value").expect("a code");
    choice.click().await.expect("chosen");
    proxy.set(LOSE);
    w.click("button[name=action][value=save]").await;
    w.wait_for_text("kept on this device").await;
    w.check("observation-lost-response").await;
    let stored = records_of(&app, second).await;
    assert_eq!(
        stored.len(),
        1,
        "the lost save reached the server: {stored:?}"
    );
    proxy.set(UP);
    for _ in 0..300 {
        if badge(&w).await.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(badge(&w).await.0, "the kept save was sent again");
    let stored = records_of(&app, second).await;
    assert_eq!(stored.len(), 1, "still one record: {stored:?}");
    assert_eq!(stored[0]["id"], json!(second_id));
    assert_eq!(stored[0]["answers"][&code], json!(chosen), "{stored:?}");

    w.client.close().await.expect("closed");
}

#[tokio::test]
async fn monitors_record_with_no_connection_in_chromium() {
    let axe = axe_source();
    let driver = driver().await;
    for backend in backends() {
        story(backend, &driver, axe.as_str()).await;
    }
}
