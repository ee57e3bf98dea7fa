//! Searching and reading in a real browser (Debian's Chromium, 360 px, axe on every page), over
//! real judgments of the shared corpus (its European Court and Montenegrin parts under 60,000
//! characters, read from `../shared/data/` at test time), on each backend. A researcher searches
//! in Cyrillic and finds the Latin judgments; a query that does not parse shows its column in
//! place; a facet is applied (its count is the new total) and removed as a chip; "more results"
//! goes past the first 100; the permalink reopens the same page; the language switch keeps the
//! search; "download these results" gives exactly the matching rulings as the datasets' CSV; a
//! ruling opens with the search's words marked and the next-match buttons move through them.

use std::{collections::BTreeSet, io::Read};

use courtwatch_tests::{Backend, TestApp, backends};
use fantoccini::Locator;
use serde_json::Value;

use super::browser::{Driver, PASSWORD, Window, axe_source, driver, window};

/// The corpus lines the test imports: European Court and Montenegrin judgments under 60,000
/// characters (about 1,170 documents, 20 MB).
fn corpus() -> String {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/rulings.jsonl.gz");
    let file = std::fs::File::open(&path).unwrap_or_else(|e| {
        panic!(
            "the shared corpus is not at {} ({e}); CI runs with ../shared beside the repository",
            path.display()
        )
    });
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .expect("corpus");
    text.lines()
        .filter(|line| {
            let record: Value = serde_json::from_str(line).expect("corpus line");
            let id = record["id"].as_str().unwrap_or_default();
            (id.starts_with("echr:") || id.starts_with("mne:"))
                && record["text"]
                    .as_str()
                    .is_some_and(|t| t.chars().count() < 60_000)
        })
        .map(|line| format!("{line}\n"))
        .collect()
}

/// Imports the corpus part and waits until all of it is searchable; returns how many rulings.
async fn import(app: &TestApp, lines: &str) -> u64 {
    // In parts below the test server's body limit (8 MiB).
    let mut parts = vec![String::new()];
    for line in lines.split_inclusive('\n') {
        if parts.last().is_some_and(|p| p.len() + line.len() > 6 << 20) {
            parts.push(String::new());
        }
        parts.last_mut().expect("a part").push_str(line);
    }
    let mut expected = 0;
    for part in parts {
        let response = app.import_rulings(part).await;
        let (status, report) = TestApp::read(response).await;
        assert_eq!(status, 200, "{report}");
        expected += report["inserted"].as_u64().expect("inserted");
    }
    assert!(expected > 1000, "{expected} imported");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(240);
    loop {
        let (_, page) = app.get("/search?kind=ruling&limit=1&facets=false").await;
        if page["total"].as_u64() == Some(expected) {
            return expected;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the corpus never became searchable ({}): {page}",
            app.backend
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

/// The hits on the page: their links, in order.
async fn hits(w: &Window) -> Vec<String> {
    let found = w
        .client
        .execute(
            "return Array.from(document.querySelectorAll('li.hit h2 a')).map(a => a.getAttribute('href'));",
            vec![],
        )
        .await
        .expect("script");
    serde_json::from_value(found).expect("links")
}

/// The exact total the page states (0 when it says nothing matches).
async fn total(w: &Window) -> u64 {
    w.client
        .find(Locator::Css("#total"))
        .await
        .expect("the total")
        .attr("data-total")
        .await
        .expect("attribute")
        .and_then(|t| t.parse().ok())
        .expect("a number")
}

/// Marks the page shown, so that [`next_page`] knows when another has replaced it.
async fn mark_page(w: &Window) {
    w.client
        .execute("document.documentElement.dataset.seen = '1'", vec![])
        .await
        .expect("script");
}

/// Waits until the marked page is replaced by a loaded one.
async fn next_page(w: &Window) {
    for _ in 0..100 {
        let fresh = w
            .client
            .execute(
                "return document.readyState === 'complete' && !document.documentElement.dataset.seen",
                vec![],
            )
            .await
            .unwrap_or(Value::Bool(false));
        if fresh == Value::Bool(true) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no new page ({})", w.backend);
}

/// Clicks `css` and waits for the page it opens.
async fn follow(w: &Window, css: &str) {
    mark_page(w).await;
    w.click(css).await;
    next_page(w).await;
}

async fn search_for(w: &Window, query: &str) {
    w.fill("q", query).await;
    follow(w, "#search-form button[type=submit]").await;
}

async fn story(backend: Backend, driver: &Driver, axe: &str, lines: &str) {
    let app = TestApp::spawn(backend).await;
    let rulings = import(&app, lines).await;
    let email = app
        .person(
            "Researcher (fictional)",
            "Research Institute (fictional)",
            "researcher",
            "researcher@example.org",
            PASSWORD,
        )
        .await;
    let w = window(driver, &app, axe).await;
    w.sign_in(&email, PASSWORD).await;
    w.wait_for_text("Welcome").await;
    follow(&w, "nav.menu a[href='/search']").await;
    w.wait_for_text("How to write a query").await;
    w.check("search-empty").await;

    // Cyrillic finds the Latin judgments: the marked word is written in Latin letters.
    search_for(&w, "Подгорици").await;
    let found = total(&w).await;
    assert!(found > 100, "{}: {found} judgments", app.backend);
    let marked = w
        .client
        .execute(
            "return Array.from(document.querySelectorAll('li.hit .snippet mark')).map(m => m.textContent);",
            vec![],
        )
        .await
        .expect("script");
    let marked: Vec<String> = serde_json::from_value(marked).expect("marks");
    assert!(
        marked.iter().any(|m| m == "Podgorici"),
        "the Latin spelling is marked: {marked:?}"
    );
    w.check("search-cyrillic").await;
    w.client
        .execute("document.getElementById('total').scrollIntoView()", vec![])
        .await
        .expect("scrolled");
    w.check("search-results").await;

    // A phrase no judgment of this part holds in Serbian ("govor mržnje").
    search_for(&w, "\"govor mržnje\"").await;
    let alone = total(&w).await;
    // Also in the other languages: the page says what it added, and finds at least as much.
    w.click("#expand").await;
    follow(&w, "#search-form button[type=submit]").await;
    let said = w.wait_for_text("Also searched").await;
    assert!(
        said.contains("“hate speech” (English)") && said.contains("“gjuhë e urrejtjes” (Albanian)"),
        "{said}"
    );
    let expanded = total(&w).await;
    assert!(
        expanded > alone,
        "{}: {expanded} with the English and Albanian terms, {alone} without",
        app.backend
    );
    w.check("search-expanded").await;
    // Its chip takes it off again.
    follow(&w, "a.chip[href*='q=']").await;
    assert_eq!(total(&w).await, alone);

    // A query that does not parse: the message and its column, in place, the query kept.
    search_for(&w, "roma AND (school").await;
    let text = w.wait_for_text("cannot be read at character").await;
    let column = courtwatch_indexer::query::parse("roma AND (school")
        .expect_err("does not parse")
        .column;
    assert!(
        text.contains(&format!("cannot be read at character {column}")),
        "the column {column}: {text}"
    );
    let at = w
        .client
        .find(Locator::Css(".query-at mark.at"))
        .await
        .expect("the column is marked")
        .text()
        .await
        .expect("text");
    let expected: String = "roma AND (school"
        .chars()
        .nth(column - 1)
        .map(String::from)
        .unwrap_or_default();
    assert_eq!(at.trim(), expected.trim(), "the marked character");
    let kept = w
        .client
        .find(Locator::Id("q"))
        .await
        .expect("box")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(kept.as_deref(), Some("roma AND (school"));
    w.check("search-bad-query").await;

    // A facet applied: the count beside it is the new total; then removed as a chip.
    search_for(&w, "roma").await;
    let before = total(&w).await;
    assert!(before > 120, "{}: {before} for roma", app.backend);
    let first_hits = hits(&w).await;
    // The language facet is folded: opened as a person would, by its heading.
    w.client
        .find(Locator::XPath(
            "//details[.//a[@data-facet='language']]/summary",
        ))
        .await
        .expect("the language facet")
        .click()
        .await
        .expect("opened");
    let link = w
        .client
        .find(Locator::Css(
            "a[data-facet='language'][href*='language=fr']",
        ))
        .await
        .expect("the French facet value");
    let count: u64 = w
        .client
        .execute(
            "return document.querySelector(\"a[data-facet='language'][href*='language=fr']\").nextElementSibling.textContent;",
            vec![],
        )
        .await
        .expect("count")
        .as_str()
        .and_then(|c| c.trim().parse().ok())
        .expect("a count");
    mark_page(&w).await;
    link.click().await.expect("facet");
    next_page(&w).await;
    assert_eq!(total(&w).await, count, "the facet's count is the new total");
    let chip = w
        .client
        .find(Locator::Css("a.chip"))
        .await
        .expect("a chip")
        .text()
        .await
        .expect("text");
    assert!(chip.contains("Français"), "{chip}");
    w.check("search-facet").await;
    follow(&w, "a.chip").await;
    assert_eq!(
        total(&w).await,
        before,
        "the chip removed, all results again"
    );
    assert!(
        w.client.find(Locator::Css("a.chip")).await.is_err(),
        "no chip left"
    );
    assert_eq!(hits(&w).await, first_hits);

    // The permalink reopens the same page.
    let permalink = w
        .client
        .find(Locator::Id("permalink"))
        .await
        .expect("permalink")
        .prop("value")
        .await
        .expect("value")
        .expect("a link");
    w.client.goto(&permalink).await.expect("reopened");
    assert_eq!(
        hits(&w).await,
        first_hits,
        "the permalink gives the same page"
    );

    // "More results" past the first 100, every hit once, the total unchanged.
    let mut seen: BTreeSet<String> = first_hits.iter().cloned().collect();
    for page in 2..=7 {
        follow(&w, "a.more").await;
        w.wait_for_text(&format!("Results {}–", (page - 1) * 20 + 1))
            .await;
        assert_eq!(total(&w).await, before, "page {page}: the same total");
        for hit in hits(&w).await {
            assert!(seen.insert(hit.clone()), "page {page} repeats {hit}");
        }
    }
    assert_eq!(seen.len(), 140);
    w.check("search-page-7").await;
    let page_seven = hits(&w).await;
    let here = w.client.current_url().await.expect("url").to_string();
    w.client.goto(&here).await.expect("again");
    w.wait_for_text("Results 121–").await;
    assert_eq!(hits(&w).await, page_seven, "page 7's address gives page 7");

    // The language switch keeps the search.
    follow(&w, "a[hreflang='sr-Cyrl']").await;
    w.wait_for_text("Резултати").await;
    let kept = w
        .client
        .find(Locator::Id("q"))
        .await
        .expect("box")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(kept.as_deref(), Some("roma"));
    w.check("search-cyrillic-page").await;
    follow(&w, "a[hreflang='en']").await;
    w.wait_for_text("Results").await;

    // "Download these results": exactly the matching rulings, as the datasets' CSV.
    w.open("/search?q=roma&language=fr").await;
    w.wait_for_text("Download these results").await;
    let href = w
        .client
        .find(Locator::Css(".downloads a[href^='/search/rulings.csv']"))
        .await
        .expect("download link")
        .attr("href")
        .await
        .expect("href")
        .expect("a link");
    let cookie = app.web_session(&email, PASSWORD).await;
    let (status, csv) = app.page(&cookie, &href).await;
    assert_eq!(status, 200, "{csv}");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader.records().count() as u64;
    assert_eq!(rows, count, "one row per matching ruling");
    let (_, whole) = app.get_text_as(&app.token, "/datasets/rulings.csv").await;
    let whole_header: Vec<String> = csv::Reader::from_reader(whole.as_bytes())
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, whole_header, "the datasets' columns");
    assert_eq!(
        csv::Reader::from_reader(whole.as_bytes()).records().count() as u64,
        rulings
    );

    // The datasets page: files, filters, labels and Excel mode chosen, then downloaded.
    follow(&w, "nav.menu a[href='/datasets']").await;
    w.wait_for_text("Prepare the downloads").await;
    w.check("datasets").await;
    w.click("#file-parties").await;
    w.click("#labels-sr").await;
    w.click("#bom").await;
    follow(&w, "#datasets-form button[type=submit]").await;
    w.wait_for_text("Your downloads").await;
    let ready = w
        .client
        .find(Locator::Id("ready"))
        .await
        .expect("the downloads")
        .text()
        .await
        .expect("text");
    assert!(
        ready.contains("rulings.csv") && !ready.contains("parties.csv"),
        "parties left out: {ready}"
    );
    w.check("datasets-ready").await;
    let href = w
        .client
        .find(Locator::Css(
            "#ready a[href^='/datasets/files/rulings.csv']",
        ))
        .await
        .expect("the rulings link")
        .attr("href")
        .await
        .expect("href")
        .expect("a link");
    let (status, web_file) = app.page(&cookie, &href).await;
    assert_eq!(status, 200, "{web_file}");
    let (_, api_file) = app
        .get_text_as(&app.token, "/datasets/rulings.csv?labels=sr&bom=true")
        .await;
    assert!(
        web_file.starts_with('\u{feff}'),
        "Excel mode: a byte-order mark"
    );
    assert_eq!(web_file, api_file, "the page's file is the API's");
    let zip = w
        .client
        .find(Locator::Css("#ready a[href^='/datasets/package.zip']"))
        .await
        .expect("the zip link")
        .attr("href")
        .await
        .expect("href")
        .expect("a link");
    assert!(zip.contains("labels=sr") && zip.contains("bom=1"), "{zip}");

    // A ruling, with the search's words marked; the buttons move from match to match.
    w.open("/search?q=Roma+segregation").await;
    w.wait_for_text("How to write a query").await;
    follow(&w, "li.hit h2 a").await;
    let text = w.wait_for_text("Matches of the search").await;
    assert!(text.contains("Back to the results"), "{text}");
    let marks = w
        .client
        .execute(
            "return document.querySelectorAll('.ruling-text mark').length",
            vec![],
        )
        .await
        .expect("script")
        .as_u64()
        .expect("count");
    assert!(marks > 2, "{marks} matches");
    w.click("#cw-matchnav button:last-child").await;
    w.click("#cw-matchnav button:last-child").await;
    w.wait_for_text(&format!("Match 2 of {marks}")).await;
    let focused = w
        .client
        .execute("return document.activeElement.id", vec![])
        .await
        .expect("script");
    assert_eq!(focused, "m2", "the second match has the focus");
    w.check("ruling").await;
    w.click("#cw-matchnav button:first-child").await;
    w.wait_for_text(&format!("Match 1 of {marks}")).await;

    saved_search_and_its_feed(&app, &w).await;
    w.client.close().await.expect("closed");
}

#[tokio::test]
async fn researchers_search_and_read_in_chromium() {
    let axe = axe_source();
    let driver = driver().await;
    let lines = corpus();
    for backend in backends() {
        story(backend, &driver, &axe, &lines).await;
    }
}

/// The entry ids of an Atom feed (checked well-formed by Python's XML parser).
fn feed_ids(xml: &str) -> Vec<String> {
    let parsed = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, xml.etree.ElementTree as E; \
             t = E.fromstring(sys.stdin.read()); ns = {'a': 'http://www.w3.org/2005/Atom'}; \
             assert t.tag == '{http://www.w3.org/2005/Atom}feed'; \
             print('\\n'.join(e.find('a:id', ns).text for e in t.findall('a:entry', ns)))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(xml.as_bytes())?;
            child.wait_with_output()
        })
        .expect("python3");
    assert!(parsed.status.success(), "not an Atom feed: {xml}");
    String::from_utf8_lossy(&parsed.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

async fn fetch_feed(url: &str) -> (u16, String) {
    let response = reqwest::get(url).await.expect("feed");
    let status = response.status().as_u16();
    if status == 200 {
        assert!(
            response.headers()["content-type"]
                .to_str()
                .is_ok_and(|t| t.starts_with("application/atom+xml")),
            "an Atom feed"
        );
    }
    (status, response.text().await.expect("body"))
}

/// A search saved, its feed made and read by a feed reader (no cookie); a newly published
/// matching ruling appears in it and counts as new; a matching record that is not released never
/// does; the feed turned off stops; another person cannot open the saved search.
async fn saved_search_and_its_feed(app: &TestApp, w: &Window) {
    w.open("/search?q=segregation+school&language=en").await;
    w.wait_for_text("Save this search as").await;
    w.fill("save-name", "Roma school segregation (ECHR, English)")
        .await;
    follow(w, "#save-search button[type=submit]").await;
    let text = w.wait_for_text("The search is saved.").await;
    assert!(
        !text.contains("New since you last opened it"),
        "nothing is new yet: {text}"
    );
    w.check("saved-searches").await;
    follow(w, "ul.saved form[action$='/feed'] button").await;
    w.wait_for_text("Feed address").await;
    let url = w
        .client
        .find(Locator::Id("feed-url"))
        .await
        .expect("the feed address")
        .text()
        .await
        .expect("text");
    w.check("saved-feed").await;
    let (status, xml) = fetch_feed(&url).await;
    assert_eq!(status, 200, "{xml}");
    let before = feed_ids(&xml);
    assert!(
        !before.is_empty() && before.len() <= 50,
        "{} entries",
        before.len()
    );

    // A record that matches but is not released (a draft case of an organisation).
    let court = app.court("Basic Court of Fictional Town", "XK").await;
    let (status, draft) = app
        .post(
            "/cases",
            &serde_json::json!({"court_id": court, "case_number": "C 1/26",
                "title": "Fictional draft: segregation of pupils in a school",
                "summary": "Fictional. Segregation in school, not released.",
                "proceeding_type": "civil_antidiscrimination", "grounds": ["roma_ashkali_egyptian"],
                "answers": {"selection_reasons": ["public_interest"]}}),
        )
        .await;
    assert_eq!(status, 201, "{draft}");
    let draft_id = draft["id"].as_str().expect("id").to_owned();
    app.search_until("q=segregation+school+fictional&kind=case", |p| {
        p["total"].as_u64() == Some(1)
    })
    .await;
    // A newly published matching ruling (imported case law is published on import).
    let line = serde_json::json!({"id": "fictional:feed-1", "title": "FICTIONAL CASE OF A NEW SCHOOL SEGREGATION",
        "court": "European Court of Human Rights", "date": "2026-11-30", "lang": "en",
        "text": "Fictional judgment. Segregation of Roma pupils in a separate school."});
    let response = app.import_rulings(format!("{line}\n")).await;
    assert_eq!(response.status().as_u16(), 200);
    let found = app
        .search_until("q=%22new+school+segregation%22&kind=ruling", |p| {
            p["total"].as_u64() == Some(1)
        })
        .await;
    let new_id = found["hits"][0]["id"]
        .as_str()
        .expect("the new ruling")
        .to_owned();
    let (_, xml) = fetch_feed(&url).await;
    let after = feed_ids(&xml);
    assert_eq!(
        after.first().map(String::as_str),
        Some(format!("urn:courtwatch:ruling:{new_id}").as_str()),
        "the newly published ruling comes first: {after:?}"
    );
    assert!(
        after.iter().all(|id| !id.contains(&draft_id)) && !xml.contains("Fictional draft"),
        "the unreleased case is never in the feed"
    );
    assert!(xml.contains("FICTIONAL CASE OF A NEW SCHOOL SEGREGATION"));

    // The saved searches page counts it as new; opening the search makes it not new.
    w.open("/saved-searches").await;
    let text = w.wait_for_text("New since you last opened it: 1").await;
    assert!(
        text.contains("Feed address") || text.contains("It has a feed"),
        "{text}"
    );
    follow(w, "ul.saved a[href^='/saved-searches/']").await;
    w.wait_for_text("How to write a query").await;
    let here = w.client.current_url().await.expect("url");
    assert!(here.as_str().contains("q=segregation+school"), "{here}");
    w.open("/saved-searches").await;
    let text = w.wait_for_text("Matching records").await;
    assert!(!text.contains("New since you last opened it"), "{text}");

    // Another person cannot open it; the feed turned off stops.
    let href = w
        .client
        .find(Locator::Css("ul.saved a[href^='/saved-searches/']"))
        .await
        .expect("link")
        .attr("href")
        .await
        .expect("href")
        .expect("a link");
    let other = app
        .person(
            "Other Researcher (fictional)",
            "Research Institute (fictional)",
            "researcher",
            "other.researcher@example.org",
            PASSWORD,
        )
        .await;
    let cookie = app.web_session(&other, PASSWORD).await;
    let (status, page) = app.page(&cookie, &href).await;
    assert_eq!(status, 404, "{page}");
    follow(w, "ul.saved form[action$='/feed/off'] button").await;
    w.wait_for_text("The feed is off").await;
    let (status, _) = fetch_feed(&url).await;
    assert_eq!(status, 404, "a revoked feed answers nothing");
}
