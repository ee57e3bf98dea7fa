//! The statistics dashboard in a real browser (Debian's Chromium, 360 px, axe on every page),
//! over the fictional demo data, on each backend: every chart's table agrees with the API's
//! `/stats`, each chart is an SVG with its title, description and n, its CSV and SVG files are the
//! table and the chart, a filter and a crosstab chosen on the page change the figures as the API
//! does, labels follow the page's language (Cyrillic too), and the public copy answers only when an
//! admin has opened anonymous statistics, to anyone, with counts only.

use courtwatch_tests::{Backend, TestApp, backends};
use serde_json::Value;

use super::browser::{Driver, PASSWORD, Window, axe_source, driver, window};

/// The page's table of figure `name`: its rows of cells (the first cell is the row's heading).
async fn table(w: &Window, name: &str) -> Vec<Vec<String>> {
    let found = w
        .client
        .execute(
            "return Array.from(document.querySelectorAll(`table[data-figure='${arguments[0]}'] tbody tr`))\
               .map(tr => Array.from(tr.children).map(c => c.textContent.trim()));",
            vec![Value::String(name.to_owned())],
        )
        .await
        .expect("script");
    serde_json::from_value(found).expect("rows")
}

fn cell(rows: &[Vec<String>], heading: &str, column: usize) -> String {
    rows.iter()
        .find(|r| r[0] == heading)
        .unwrap_or_else(|| panic!("no row {heading} in {rows:?}"))[column]
        .clone()
}

async fn story(backend: Backend, driver: &Driver, axe: &str) {
    let app = TestApp::spawn(backend).await;
    courtwatch_api::demo::load(&app.state)
        .await
        .expect("demo")
        .expect("loaded");
    let email = app
        .person(
            "Policy Author (fictional)",
            "Research Institute (fictional)",
            "researcher",
            "policy.author@example.org",
            PASSWORD,
        )
        .await;
    let w = window(driver, &app, axe).await;
    w.sign_in(&email, PASSWORD).await;
    w.wait_for_text("Welcome").await;
    w.click("nav.menu a[href='/statistics']").await;
    w.wait_for_text("Reasons for adjournment").await;
    w.check("statistics").await;

    // Every chart's table agrees with the API.
    let (_, cases) = app.get("/stats/cases?labels=en").await;
    let rows = table(&w, "cases-by-jurisdiction").await;
    for c in cases["by_jurisdiction"].as_array().expect("counts") {
        let label = c["label"].as_str().expect("label");
        assert_eq!(cell(&rows, label, 1), c["count"].to_string(), "{label}");
    }
    assert_eq!(
        rows.len(),
        cases["by_jurisdiction"].as_array().map_or(0, Vec::len)
    );
    for (figure, key) in [
        ("cases-by-ground", "by_ground"),
        ("cases-by-proceeding-type", "by_proceeding_type"),
        ("cases-by-year", "by_year"),
    ] {
        let rows = table(&w, figure).await;
        let counts = cases[key].as_array().expect("counts");
        assert_eq!(rows.len(), counts.len(), "{figure}");
        for c in counts {
            let label = c["label"].as_str().or(c["value"].as_str()).expect("label");
            assert_eq!(
                cell(&rows, label, 1),
                c["count"].to_string(),
                "{figure} {label}"
            );
        }
    }
    let (_, hearings) = app.get("/stats/hearings?labels=en").await;
    let adjourned = table(&w, "hearings-adjourned").await;
    assert_eq!(
        cell(&adjourned, "Adjourned", 1),
        hearings["adjourned"]["count"].to_string()
    );
    assert_eq!(
        cell(&adjourned, "Adjourned", 2),
        hearings["adjourned"]["base"].to_string()
    );
    for (figure, row, key) in [
        ("closed-to-public", "Public excluded", "closed_to_public"),
        ("interpreter", "Interpreter needed", "interpreter_needed"),
        (
            "interpreter",
            "Provided, where needed",
            "interpreter_provided",
        ),
        ("hate-speech", "Hate speech observed", "hate_speech"),
        (
            "hate-speech",
            "The judge reacted, where it was observed",
            "judge_reacted",
        ),
    ] {
        let rows = table(&w, figure).await;
        assert_eq!(
            cell(&rows, row, 1),
            hearings[key]["count"].to_string(),
            "{row}"
        );
        assert_eq!(
            cell(&rows, row, 2),
            hearings[key]["base"].to_string(),
            "{row}"
        );
    }
    let reasons = table(&w, "adjournment-reasons").await;
    for c in hearings["adjournment_reasons"].as_array().expect("reasons") {
        let label = c["label"].as_str().expect("label");
        assert_eq!(cell(&reasons, label, 1), c["count"].to_string(), "{label}");
    }
    let (_, durations) = app.get("/stats/durations").await;
    let rows = table(&w, "durations").await;
    assert_eq!(cell(&rows, "n", 1), durations["with_ruling"].to_string());
    let median = durations["median_days"].as_f64().expect("a median");
    assert_eq!(
        cell(&rows, "median", 1),
        if median.fract() == 0.0 {
            format!("{median:.0}")
        } else {
            format!("{median:.1}")
        }
    );

    // Each chart is an SVG with a title, a description and its n; its files are the same.
    let svg = w
        .client
        .execute(
            "const s = document.querySelector('#figure-hearings-adjourned svg');\
             return [s.getAttribute('role'), s.querySelector('title').textContent, s.querySelector('desc').textContent, s.textContent];",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(svg[0], "img");
    assert!(svg[3].as_str().is_some_and(|t| t.contains("n = ")), "{svg}");
    let cookie = app.web_session(&email, PASSWORD).await;
    // Every figure's CSV (each file computes only its own figure) is its table.
    let names: Vec<String> = serde_json::from_value(
        w.client
            .execute(
                "return Array.from(document.querySelectorAll('section.figure'))\
                   .map(s => s.id.replace('figure-', ''));",
                vec![],
            )
            .await
            .expect("script"),
    )
    .expect("names");
    assert_eq!(names.len(), 12, "{names:?}");
    for name in &names {
        let (status, file) = app
            .page(&cookie, &format!("/statistics/figures/{name}.csv"))
            .await;
        assert_eq!(status, 200, "{name}: {file}");
        let mut csv_rows = csv::Reader::from_reader(file.as_bytes());
        let from_csv: Vec<Vec<String>> = csv_rows
            .records()
            .map(|r| r.expect("row").iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(
            from_csv,
            table(&w, name).await,
            "the CSV is the table: {name}"
        );
    }
    let (status, _) = app.page(&cookie, "/statistics/figures/no-such.csv").await;
    assert_eq!(status, 404);
    let (status, file) = app
        .page(&cookie, "/statistics/figures/hearings-adjourned.svg")
        .await;
    assert_eq!(status, 200);
    assert!(
        file.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{file}"
    );

    // A filter and a crosstab chosen on the page: the figures are the API's for the same.
    w.click("#stats-form details summary").await;
    w.select("jurisdiction", "ME").await;
    w.select("question", "public_excluded").await;
    w.select("by", "proceeding_type").await;
    w.click("#stats-form button[type=submit]").await;
    w.wait_for_text("Jurisdiction: Montenegro").await;
    let (_, filtered) = app.get("/stats/hearings?jurisdiction=ME").await;
    let rows = table(&w, "closed-to-public").await;
    assert_eq!(
        cell(&rows, "Public excluded", 2),
        filtered["closed_to_public"]["base"].to_string()
    );
    let (_, crosstab) = app
        .get(
            "/stats/crosstab?question=public_excluded&by=proceeding_type&jurisdiction=ME&labels=en",
        )
        .await;
    let rows = table(&w, "crosstab").await;
    for r in crosstab["rows"].as_array().expect("rows") {
        let label = r["label"].as_str().expect("label");
        let counts: Vec<String> = r["counts"]
            .as_array()
            .expect("counts")
            .iter()
            .map(Value::to_string)
            .collect();
        let shown = rows
            .iter()
            .find(|row| row[0] == label)
            .unwrap_or_else(|| panic!("{label} in {rows:?}"));
        assert_eq!(shown[1..=counts.len()], counts[..], "{label}");
        assert_eq!(shown[counts.len() + 1], r["total"].to_string());
    }

    // A court, as the API's `court_id`: named in the filters in force, the API's counts.
    let (_, cases) = app.get("/cases?jurisdiction=ME&limit=1").await;
    let court_id = cases["items"][0]["court_id"]
        .as_str()
        .expect("a Montenegrin demo case")
        .to_owned();
    let (_, court) = app.get(&format!("/courts/{court_id}")).await;
    let court_name = court["name"].as_str().expect("court name").to_owned();
    // (The filters stay open while some are in force.)
    w.select("court_id", &court_id).await;
    w.click("#stats-form button[type=submit]").await;
    w.wait_for_text(&format!("Court: {court_name}")).await;
    let (_, by_court) = app
        .get(&format!("/stats/cases?jurisdiction=ME&court_id={court_id}"))
        .await;
    let total: u64 = table(&w, "cases-by-jurisdiction")
        .await
        .iter()
        .map(|row| row[1].parse::<u64>().expect("a count"))
        .sum();
    assert!(total > 0, "the court's cases are counted");
    assert_eq!(Some(total), by_court["total"].as_u64());
    let (_, all) = app.get("/stats/cases?jurisdiction=ME").await;
    assert!(
        all["total"].as_u64() >= Some(total),
        "the court narrows: {all} {by_court}"
    );
    w.check("statistics-filtered").await;
    w.client
        .execute(
            "document.getElementById('figure-hearings-adjourned').scrollIntoView()",
            vec![],
        )
        .await
        .expect("scrolled");
    w.check("statistics-chart").await;

    // In Serbian Cyrillic: the methodology's labels too.
    w.click("a[hreflang='sr-Cyrl']").await;
    let text = w.wait_for_text("Статистика").await;
    assert!(text.contains("Црна Гора"), "labels in Cyrillic: {text}");
    w.check("statistics-cyrillic").await;
    w.click("a[hreflang='en']").await;
    w.wait_for_text("Statistics").await;

    // The public copy: closed until an admin opens it, then open to anyone, counts only.
    let anonymous = reqwest::Client::new();
    let public = format!("{}/public/statistics", app.base);
    let response = anonymous.get(&public).send().await.expect("public");
    assert_eq!(response.status().as_u16(), 404);
    let admin = app.user("admin", "Test Coalition (fictional)").await;
    let (status, body) = app
        .call(
            reqwest::Method::PUT,
            "/settings",
            Some(&admin),
            Some(&serde_json::json!({"anonymous_stats": true})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let p = window(driver, &app, axe).await;
    p.open("/public/statistics").await;
    let text = p.wait_for_text("This page is public").await;
    assert!(text.contains("Reasons for adjournment"), "{text}");
    assert!(!text.contains("Sign out"), "no one is signed in: {text}");
    let rows = table(&p, "cases-by-jurisdiction").await;
    assert_eq!(
        rows,
        table_of(&w, "/statistics", "cases-by-jurisdiction").await
    );
    p.check("statistics-public").await;
    let response = anonymous
        .get(format!("{public}/figures/hearings-adjourned.svg"))
        .send()
        .await
        .expect("svg");
    assert_eq!(response.status().as_u16(), 200);
    p.client.close().await.expect("closed");
    w.client.close().await.expect("closed");
}

/// The table of `figure` on the signed-in page `path`.
async fn table_of(w: &Window, path: &str, figure: &str) -> Vec<Vec<String>> {
    w.open(path).await;
    w.wait_for_text("Reasons for adjournment").await;
    table(w, figure).await
}

#[tokio::test]
async fn policy_authors_read_the_figures_in_chromium() {
    let axe = axe_source();
    let driver = driver().await;
    for backend in backends() {
        story(backend, &driver, &axe).await;
    }
}
