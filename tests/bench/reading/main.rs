//! `cargo bench -p courtwatch-tests --bench reading`: the researchers' pages over the whole shared
//! corpus (issue 23's targets), on a fresh SQLite server in this process, over HTTP on loopback:
//! - the search page (20 hits, snippets, facets) against the JSON search of the same query, for
//!   the search benchmark's 18 common-term queries (target: the page ≤ 1.2× the JSON; the JSON
//!   p50 ≤ 5 ms);
//! - the time to open the longest ruling (its page with a search's words marked, and without),
//!   against its JSON (target ≤ 50 ms);
//! - the whole release as one zip (`/api/v1/datasets/package.zip`, with the rulings' full text)
//!   against `courtwatch export` to a folder of the same release, in bytes per second
//!   (target ≥ 0.9×).

use std::{
    io::Read,
    path::{Path, PathBuf},
    time::Instant,
};

use courtwatch_api::services::export::{self, ExportRequest};
use courtwatch_tests::{Backend, TestApp};
use serde_json::Value;

const PASSWORD: &str = "a long fictional passphrase";
const ROUNDS: usize = 15;
/// Runs of the zip and of the folder export each (the median is reported).
const ZIP_ROUNDS: usize = 5;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn corpus() -> PathBuf {
    std::env::var_os("COURTWATCH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/rulings.jsonl.gz")
        })
}

fn common_queries() -> Vec<String> {
    include_str!("../search/queries.tsv")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .filter(|(category, _)| *category == "common")
        .map(|(_, q)| q.to_owned())
        .collect()
}

async fn timed_get(client: &reqwest::Client, url: &str, header: (&str, &str)) -> (f64, usize) {
    let start = Instant::now();
    let response = client
        .get(url)
        .header(header.0, header.1)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200, "{url}");
    let body = response.bytes().await.expect("body");
    (start.elapsed().as_secs_f64() * 1000.0, body.len())
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

#[tokio::main]
async fn main() {
    let path = corpus();
    if !path.exists() {
        println!("reading benchmark skipped: no corpus at {}", path.display());
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).expect("corpus"))
        .read_to_string(&mut text)
        .expect("corpus");
    let started = Instant::now();
    let actor = courtwatch_api::services::auth::authenticate(&app.state.db, &app.reviewer_token)
        .await
        .expect("coordinator");
    let file = path.clone();
    let report = courtwatch_api::services::import::import_rulings(
        &app.state,
        &actor,
        move || {
            let f = std::fs::File::open(&file)?;
            Ok(
                Box::new(std::io::BufReader::new(flate2::read::GzDecoder::new(f)))
                    as Box<dyn std::io::BufRead + Send>,
            )
        },
        false,
        |_, _| {},
    )
    .await
    .expect("import");
    eprintln!(
        "imported {report:?} in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let client = reqwest::Client::new();
    // Wait until all of it is searchable.
    loop {
        let (_, page) = app.get("/search?limit=1&facets=false").await;
        if page["total"].as_u64() == Some(2204) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    eprintln!("searchable after {:.0} s", started.elapsed().as_secs_f64());
    let email = app
        .person(
            "Bench Researcher (fictional)",
            "Research Institute (fictional)",
            "researcher",
            "bench.researcher@example.org",
            PASSWORD,
        )
        .await;
    let cookie = app.web_session(&email, PASSWORD).await;
    let bearer = format!("Bearer {}", app.token);

    // The search page against the JSON search, common terms, 20 hits with snippets and facets.
    let mut json = Vec::new();
    let mut html = Vec::new();
    let mut json_bytes = 0;
    let mut html_bytes = 0;
    for round in 0..ROUNDS + 2 {
        for q in common_queries() {
            let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
            let (a, a_bytes) = timed_get(
                &client,
                &app.api(&format!("/search?q={q}&limit=20")),
                ("authorization", &bearer),
            )
            .await;
            let (b, b_bytes) = timed_get(
                &client,
                &format!("{}/search?q={q}", app.base),
                ("cookie", &cookie),
            )
            .await;
            if round >= 2 {
                json.push(a);
                html.push(b);
                json_bytes = a_bytes;
                html_bytes = b_bytes;
            }
        }
    }
    let (json, html) = (sorted(json), sorted(html));
    println!(
        "### The search page against the JSON search (common terms, 20 hits, snippets, facets)\n"
    );
    println!("| | p50 ms | p95 ms | last body |");
    println!("|---|---:|---:|---:|");
    println!(
        "| JSON `GET /api/v1/search?q=…&limit=20` | {:.2} | {:.2} | {} B |",
        percentile(&json, 0.5),
        percentile(&json, 0.95),
        json_bytes
    );
    println!(
        "| page `GET /search?q=…` | {:.2} | {:.2} | {} B |",
        percentile(&html, 0.5),
        percentile(&html, 0.95),
        html_bytes
    );
    println!(
        "| page / JSON (p50) | {:.2}× | | |\n",
        percentile(&html, 0.5) / percentile(&json, 0.5)
    );

    // The longest ruling.
    let (_, list) = app.get("/rulings?limit=1").await;
    assert!(list["items"].is_array());
    let longest: (String, usize) = {
        let mut best = (String::new(), 0);
        for line in text.lines() {
            let record: Value = serde_json::from_str(line).expect("line");
            let len = record["text"].as_str().map_or(0, str::len);
            if len > best.1 {
                best = (record["id"].as_str().unwrap_or_default().to_owned(), len);
            }
        }
        best
    };
    let found = app
        .get(&format!("/rulings?external_id={}&limit=1", longest.0))
        .await
        .1;
    let id = found["items"][0]["id"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("the longest ruling {}: {found}", longest.0));
    let mut rows = Vec::new();
    for (what, url, header) in [
        (
            "JSON `GET /api/v1/rulings/{id}`",
            app.api(&format!("/rulings/{id}")),
            ("authorization", bearer.as_str()),
        ),
        (
            "page, no search",
            format!("{}/library/rulings/{id}", app.base),
            ("cookie", cookie.as_str()),
        ),
        (
            "page, `q=court judgment` marked",
            format!("{}/library/rulings/{id}?q=court+judgment", app.base),
            ("cookie", cookie.as_str()),
        ),
    ] {
        let mut times = Vec::new();
        let mut size = 0;
        for i in 0..ROUNDS + 2 {
            let (t, s) = timed_get(&client, &url, header).await;
            if i >= 2 {
                times.push(t);
            }
            size = s;
        }
        let times = sorted(times);
        rows.push(format!(
            "| {what} | {:.1} | {:.1} | {} kB |",
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            size / 1000
        ));
    }
    println!(
        "### The longest ruling ({}, {} characters of text)\n",
        longest.0, longest.1
    );
    println!("| | p50 ms | p95 ms | body |");
    println!("|---|---:|---:|---:|");
    for row in rows {
        println!("{row}");
    }

    // The zip against `courtwatch export` to a folder (the same function as the CLI), one after
    // the other, ZIP_ROUNDS times (this machine's disk makes single runs vary by half).
    let request = ExportRequest {
        filter: Default::default(),
        methodology_version: None,
        labels: Default::default(),
        bom: false,
        full_text: true,
        search: None,
    };
    let dir = std::env::temp_dir().join(format!("courtwatch-bench-{}", std::process::id()));
    let mut folder = Vec::new();
    let mut zipped = Vec::new();
    let mut folder_bytes = 0u64;
    let mut zip_bytes = 0u64;
    for _ in 0..ZIP_ROUNDS {
        let _ = std::fs::remove_dir_all(&dir);
        let start = Instant::now();
        let written = export::write_package(&app.state, &dir, &request, |_, _| {})
            .await
            .expect("export");
        folder.push(start.elapsed().as_secs_f64());
        folder_bytes = written.iter().map(|f| f.bytes).sum();
        let start = Instant::now();
        let response = client
            .get(app.api("/datasets/package.zip?full_text=true"))
            .header("authorization", &bearer)
            .send()
            .await
            .expect("zip");
        assert_eq!(response.status(), 200);
        zip_bytes = response.bytes().await.expect("zip").len() as u64;
        zipped.push(start.elapsed().as_secs_f64());
    }
    let _ = std::fs::remove_dir_all(&dir);
    let runs = |runs: &[f64]| {
        runs.iter()
            .map(|s| format!("{s:.2}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (folder_runs, zip_runs) = (runs(&folder), runs(&zipped));
    let (folder, zipped) = (sorted(folder), sorted(zipped));
    let mid = ZIP_ROUNDS / 2;
    let rate = |bytes: u64, s: f64| bytes as f64 / s / 1e6;
    println!(
        "\n### The whole release (rulings with full text): zip over HTTP against the folder\n"
    );
    println!("| | median s | bytes | MB/s | runs (s, in order) |");
    println!("|---|---:|---:|---:|---|");
    println!(
        "| `courtwatch export` to a folder | {:.2} | {folder_bytes} | {:.0} | {folder_runs} |",
        folder[mid],
        rate(folder_bytes, folder[mid])
    );
    println!(
        "| `GET /api/v1/datasets/package.zip` | {:.2} | {zip_bytes} | {:.0} | {zip_runs} |",
        zipped[mid],
        rate(zip_bytes, zipped[mid])
    );
    println!(
        "| zip / folder (throughput) | {:.2}× | | | |",
        rate(zip_bytes, zipped[mid]) / rate(folder_bytes, folder[mid])
    );
}
