//! `cargo bench -p courtwatch-tests --bench form`: the observation form (issue 22's targets:
//! render ≤ 20 ms, page weight ≤ 150 kB, usable ≤ 1.5 s at a 4× slower CPU, toggle ≤ 50 ms).
//!
//! On a fresh SQLite server with one fictional observation:
//! - the server's time to answer each section of the form over HTTP (loopback, keep-alive),
//!   against the API's JSON of the same record in the same run;
//! - the page weight: each section's HTML plus the stylesheet and scripts, raw and as gzip would
//!   send it;
//! - in Debian's Chromium (360 px), at 1× and at 4× CPU slowdown (DevTools'
//!   `Emulation.setCPUThrottlingRate`): the time from navigation until the form can be used
//!   (form.js's `cw-form-ready` mark, set once conditions, counters and autosave are set up), and
//!   the time to show or hide a conditional question after a change (the event handler, and
//!   until the next frame is drawn).

use std::time::{Duration, Instant};

use courtwatch_tests::{
    Backend, TestApp,
    chromium::{Cdp, driver, phone},
    generated,
};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

const ORGANISATION: &str = "Test Coalition (fictional)";
const PASSWORD: &str = "a long fictional passphrase";
const REQUESTS: usize = 200;
const NAVIGATIONS: usize = 5;
const TOGGLES: usize = 20;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(|a, b| a.total_cmp(b));
    v
}

fn gzip_len(bytes: &[u8]) -> usize {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip").len()
}

/// Times `REQUESTS` GETs of `url` (after 20 not counted); returns the sorted milliseconds and
/// the body's size.
async fn timed(client: &reqwest::Client, url: &str, auth: (&str, &str)) -> (Vec<f64>, usize) {
    let mut times = Vec::new();
    let mut size = 0;
    for i in 0..REQUESTS + 20 {
        let start = Instant::now();
        let response = client
            .get(url)
            .header(auth.0, auth.1)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200, "{url}");
        let body = response.bytes().await.expect("body");
        if i >= 20 {
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        size = body.len();
    }
    (sorted(times), size)
}

/// Milliseconds from navigation start to the `cw-form-ready` mark.
async fn usable(browser: &Client, url: &str) -> f64 {
    browser.goto(url).await.expect("page");
    for _ in 0..100 {
        let found = browser
            .execute(
                "const m = performance.getEntriesByName('cw-form-ready')[0];\
                 return m ? m.startTime : null;",
                vec![],
            )
            .await
            .expect("script");
        if let Some(ms) = found.as_f64() {
            return ms;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the form never became usable at {url}");
}

/// Toggles `interpreter_needed` between yes and no; returns the handler's and the next frame's
/// milliseconds, checking that the dependent question was shown and hidden each time.
async fn toggles(browser: &Client) -> (Vec<f64>, Vec<f64>) {
    let found = browser
        .execute_async(
            &format!(
                "const done = arguments[arguments.length - 1];\
                 const out = [];\
                 const step = (i) => {{\
                   if (i === {TOGGLES}) {{ done(out); return; }}\
                   const v = i % 2 ? 'no' : 'yes';\
                   const input = document.querySelector(`#q-interpreter_needed input[value='${{v}}']`);\
                   const t0 = performance.now();\
                   input.click();\
                   const t1 = performance.now();\
                   const shown = !document.getElementById('q-interpreter_provided').hidden;\
                   requestAnimationFrame(() => setTimeout(() => {{\
                     out.push([t1 - t0, performance.now() - t0, shown === (v === 'yes')]);\
                     setTimeout(() => step(i + 1), 30);\
                   }}, 0));\
                 }};\
                 step(0);"
            ),
            vec![],
        )
        .await
        .expect("script");
    let rows = found.as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), TOGGLES);
    for row in &rows {
        assert_eq!(
            row[2],
            json!(true),
            "the question was shown and hidden: {row}"
        );
    }
    let column = |i: usize| sorted(rows.iter().filter_map(|r| r[i].as_f64()).collect());
    (column(0), column(1))
}

#[tokio::main]
async fn main() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let m = courtwatch_methodology::Registry::published().latest();
    let sections: Vec<String> = m
        .sections
        .iter()
        .filter(|s| s.scope == courtwatch_methodology::Scope::Observation)
        .map(|s| s.code.clone())
        .collect();
    let questions = m
        .questions_for(courtwatch_methodology::Scope::Observation)
        .count();
    let email = app
        .person(
            "Bench Monitor (fictional)",
            ORGANISATION,
            "monitor",
            "bench.monitor@example.org",
            PASSWORD,
        )
        .await;
    let (case_id, _) = app
        .case("XK", "C.nr. 1/26", &["roma_ashkali_egyptian"])
        .await;
    let hearing = app.hearing(&case_id).await;
    let answers: Value = serde_json::from_str(&generated::answers(15)).expect("answers");
    let (status, observation) = app
        .post(
            "/observations",
            &json!({"hearing_id": hearing, "answers": answers, "notes": "Fictional notes."}),
        )
        .await;
    assert_eq!(status, 201, "{observation}");
    let id = observation["id"].as_str().expect("id").to_owned();

    let chromium = driver().await;
    let browser = phone(&chromium).await;
    browser
        .goto(&format!("{}/sign-in", app.base))
        .await
        .expect("sign-in");
    for (field, value) in [("name", email.as_str()), ("password", PASSWORD)] {
        browser
            .find(Locator::Id(field))
            .await
            .expect("field")
            .send_keys(value)
            .await
            .expect("typed");
    }
    browser
        .find(Locator::Css("form.card button[type=submit]"))
        .await
        .expect("button")
        .click()
        .await
        .expect("signed in");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let session = browser
        .get_named_cookie("cw_session")
        .await
        .expect("a session cookie");
    let cookie = format!("cw_session={}", session.value());

    println!(
        "\nThe observation form: methodology v{}, {questions} observation questions in {} sections; \
         {REQUESTS} requests each\n",
        m.version,
        sections.len()
    );
    println!("| what | p50 ms | p95 ms | max ms | bytes | gzip bytes |");
    println!("|---|---:|---:|---:|---:|---:|");
    let client = reqwest::Client::new();
    let mut largest = (String::new(), 0usize, 0usize);
    for s in &sections {
        let url = format!("{}/observations/{id}?section={s}", app.base);
        let (times, size) = timed(&client, &url, ("cookie", &cookie)).await;
        let body = client
            .get(&url)
            .header("cookie", &cookie)
            .send()
            .await
            .expect("page")
            .bytes()
            .await
            .expect("body");
        let gz = gzip_len(&body);
        if size > largest.1 {
            largest = (s.clone(), size, gz);
        }
        println!(
            "| form page, section `{s}` | {:.2} | {:.2} | {:.2} | {size} | {gz} |",
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            percentile(&times, 1.0),
        );
    }
    let bearer = format!("Bearer {}", app.token);
    let (times, size) = timed(
        &client,
        &app.api(&format!("/observations/{id}")),
        ("authorization", &bearer),
    )
    .await;
    println!(
        "| the same record as the API's JSON | {:.2} | {:.2} | {:.2} | {size} | — |",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        percentile(&times, 1.0),
    );

    let mut assets = 0;
    let mut assets_gz = 0;
    println!("\n| page weight | bytes | gzip bytes |");
    println!("|---|---:|---:|");
    for asset in ["/static/app.css", "/static/app.js", "/static/form.js"] {
        let body = client
            .get(format!("{}{asset}", app.base))
            .send()
            .await
            .expect("asset")
            .bytes()
            .await
            .expect("body");
        assets += body.len();
        assets_gz += gzip_len(&body);
        println!("| `{asset}` | {} | {} |", body.len(), gzip_len(&body));
    }
    println!(
        "| largest section (`{}`) + assets | {} | {} |",
        largest.0,
        largest.1 + assets,
        largest.2 + assets_gz
    );

    println!("\n| in Chromium, 360 px | CPU | p50 ms | max ms |");
    println!("|---|---:|---:|---:|");
    for rate in [1, 4] {
        browser
            .issue_cmd(Cdp {
                cmd: "Emulation.setCPUThrottlingRate",
                params: json!({"rate": rate}),
            })
            .await
            .expect("throttled");
        let mut ready = Vec::new();
        for _ in 0..NAVIGATIONS {
            for s in &sections {
                ready.push(
                    usable(
                        &browser,
                        &format!("{}/observations/{id}?section={s}", app.base),
                    )
                    .await,
                );
            }
        }
        let ready = sorted(ready);
        println!(
            "| navigation → form usable ({} loads) | {rate}× | {:.0} | {:.0} |",
            ready.len(),
            percentile(&ready, 0.5),
            percentile(&ready, 1.0)
        );
        usable(
            &browser,
            &format!("{}/observations/{id}?section=fair_trial", app.base),
        )
        .await;
        let (handler, frame) = toggles(&browser).await;
        println!(
            "| change → question shown/hidden, handler ({TOGGLES} changes) | {rate}× | {:.1} | {:.1} |",
            percentile(&handler, 0.5),
            percentile(&handler, 1.0)
        );
        println!(
            "| change → next frame drawn | {rate}× | {:.1} | {:.1} |",
            percentile(&frame, 0.5),
            percentile(&frame, 1.0)
        );
    }
    browser.close().await.expect("closed");
}
