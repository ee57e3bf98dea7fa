//! The real service as a user runs it (`courtwatch import rulings`, `courtwatch serve`, SQLite in
//! a data directory): memory while serving the corpus, search latency over HTTP, and how long an
//! observation takes to become searchable while observations keep arriving.

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use crate::{BenchQuery, CATEGORIES, Context, dir_size, mb, ms, percentile, time_queries};

/// The real command line, built by cargo for this package's benchmarks.
const BIN: &str = env!("CARGO_BIN_EXE_courtwatch-under-test");

/// What the service measured.
#[derive(Debug)]
pub struct ServiceReport {
    import: Duration,
    first_build: Duration,
    build: Memory,
    restart_ready: Duration,
    serving: Memory,
    index_bytes: u64,
    full: Vec<Vec<Duration>>,
    top10: Vec<Vec<Duration>>,
    write_latencies: Vec<Duration>,
    write_rate: f64,
}

/// Memory figures of a process, kB.
#[derive(Debug, Default, Clone, Copy)]
struct Memory {
    rss: u64,
    peak: u64,
    anon: u64,
    file: u64,
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(data_dir: &Path) -> Result<Self, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .ctx("free port")?;
        let child = command(data_dir)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ctx("start courtwatch serve")?;
        Ok(Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        })
    }

    /// Resident set size now and at its peak, and of now the anonymous part (heap) and the
    /// file-backed part (the memory-mapped index), in kB (from /proc).
    fn memory_kb(&self) -> Result<Memory, String> {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ctx("/proc")?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .unwrap_or(0)
        };
        Ok(Memory {
            rss: field("VmRSS:"),
            peak: field("VmHWM:"),
            anon: field("RssAnon:"),
            file: field("RssFile:"),
        })
    }

    /// Ctrl-C, then wait for a clean exit.
    fn stop(mut self) -> Result<(), String> {
        Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .ctx("kill -INT")?;
        self.child.wait().ctx("wait for the server")?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn command(data_dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("--data-dir")
        .arg(data_dir)
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .env_remove("COURTWATCH_INDEX_DIR");
    cmd
}

async fn get(
    client: &reqwest::Client,
    token: &str,
    url: &str,
    query: &[(&str, &str)],
) -> Result<Value, String> {
    let response = client
        .get(url)
        .bearer_auth(token)
        .query(query)
        .send()
        .await
        .ctx(url)?;
    let status = response.status();
    let body: Value = response.json().await.ctx(url)?;
    if !status.is_success() {
        return Err(format!("{url}: {status} {body}"));
    }
    Ok(body)
}

async fn post(
    client: &reqwest::Client,
    token: &str,
    url: &str,
    body: Value,
) -> Result<Value, String> {
    let response = client
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .ctx(url)?;
    let status = response.status();
    let body: Value = response.json().await.ctx(url)?;
    if status.as_u16() != 201 {
        return Err(format!("{url}: {status} {body}"));
    }
    Ok(body)
}

/// Waits until the server is ready (its first index build finished) and its index holds `docs`
/// documents.
async fn wait_for_index(
    client: &reqwest::Client,
    token: &str,
    server: &Server,
    docs: u64,
    limit: Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + limit;
    let url = format!("{}/api/v1/search", server.base);
    loop {
        if let Ok(page) = get(
            client,
            token,
            &url,
            &[("limit", "1"), ("facets", "false"), ("snippets", "false")],
        )
        .await
            && page["total"].as_u64() == Some(docs)
            && client
                .get(format!("{}/readyz", server.base))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the index did not reach {docs} documents in {limit:?}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn measure(
    data_dir: &Path,
    corpus: &Path,
    docs: u64,
    queries: &[BenchQuery],
    runs: usize,
    writes: usize,
) -> Result<ServiceReport, String> {
    let _ = std::fs::remove_dir_all(data_dir);
    let start = Instant::now();
    let output = command(data_dir)
        .args(["import", "rulings"])
        .arg(corpus)
        .stderr(Stdio::inherit())
        .output()
        .ctx("courtwatch import rulings")?;
    if !output.status.success() {
        return Err("courtwatch import rulings failed".into());
    }
    let import = start.elapsed();
    let org = command(data_dir)
        .args(["org", "add", "Bench Org (fictional)"])
        .output();
    if !org.as_ref().is_ok_and(|o| o.status.success()) {
        return Err(format!("org add: {org:?}"));
    }
    let output = command(data_dir)
        .args([
            "user",
            "add",
            "--name",
            "Bench Monitor (fictional)",
            "--org",
            "Bench Org (fictional)",
        ])
        .output()
        .ctx("courtwatch user add")?;
    if !output.status.success() {
        return Err(format!(
            "user add: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let token = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let client = reqwest::Client::new();

    // First start: the server builds the index from the database.
    let start = Instant::now();
    let server = Server::start(data_dir)?;
    wait_for_index(&client, &token, &server, docs, Duration::from_secs(1800)).await?;
    let first_build = start.elapsed();
    let build = server.memory_kb()?;
    server.stop()?;

    // Second start: an index is there; measure serving.
    let start = Instant::now();
    let server = Server::start(data_dir)?;
    wait_for_index(&client, &token, &server, docs, Duration::from_secs(60)).await?;
    let restart_ready = start.elapsed();
    let url = format!("{}/api/v1/search", server.base);
    let full = time_queries(queries, runs, |q| {
        let (client, token, url) = (client.clone(), token.clone(), url.clone());
        async move {
            get(&client, &token, &url, &[("q", &q), ("limit", "10")])
                .await
                .map(|_| ())
        }
    })
    .await?;
    let top10 = time_queries(queries, runs, |q| {
        let (client, token, url) = (client.clone(), token.clone(), url.clone());
        async move {
            get(
                &client,
                &token,
                &url,
                &[
                    ("q", &q),
                    ("limit", "10"),
                    ("facets", "false"),
                    ("snippets", "false"),
                ],
            )
            .await
            .map(|_| ())
        }
    })
    .await?;
    let serving = server.memory_kb()?;

    let (write_latencies, write_rate) = write_stream(&client, &token, &server, writes).await?;
    server.stop()?;
    let index_bytes = dir_size(&data_dir.join("index"));
    Ok(ServiceReport {
        import,
        first_build,
        build,
        restart_ready,
        serving,
        index_bytes,
        full,
        top10,
        write_latencies,
        write_rate,
    })
}

/// One writer posts observations back to back; a reader polls the search for them. With a single
/// writer the outbox applies them in order, so the k-th acknowledged write is searchable once the
/// count reaches k.
async fn write_stream(
    client: &reqwest::Client,
    token: &str,
    server: &Server,
    writes: usize,
) -> Result<(Vec<Duration>, f64), String> {
    let api = |path: &str| format!("{}/api/v1{path}", server.base);
    let court = post(
        client,
        token,
        &api("/courts"),
        json!({"name": "Bench Basic Court (fictional)", "level": "basic", "jurisdiction": "XK"}),
    )
    .await?;
    let case = post(client, token, &api("/cases"), json!({"court_id": court["id"], "case_number": "BENCH 1/26", "title": "Benchmark case (fictional)", "proceeding_type": "civil_antidiscrimination", "grounds": ["roma_ashkali_egyptian"]})).await?;
    let hearing = post(client, token, &api("/hearings"), json!({"case_id": case["id"], "scheduled_at": "2026-01-10T09:00:00+01:00", "hearing_type": "main_evidentiary", "outcome": "held"})).await?;

    let seen: Arc<Mutex<Vec<(u64, Instant)>>> = Arc::default();
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let poller = {
        let (client, token, url, seen, done) = (
            client.clone(),
            token.to_string(),
            api("/search"),
            seen.clone(),
            done.clone(),
        );
        tokio::spawn(async move {
            let mut last = 0;
            let deadline_after_done = Duration::from_secs(30);
            let mut done_at: Option<Instant> = None;
            while last < writes as u64 {
                if let Ok(page) = get(
                    &client,
                    &token,
                    &url,
                    &[
                        ("q", "benchstream"),
                        ("limit", "1"),
                        ("facets", "false"),
                        ("snippets", "false"),
                    ],
                )
                .await
                {
                    let total = page["total"].as_u64().unwrap_or(0);
                    if total > last {
                        seen.lock()
                            .map_err(|_| "lock")?
                            .push((total, Instant::now()));
                        last = total;
                    }
                }
                if done.load(std::sync::atomic::Ordering::Relaxed) {
                    let at = *done_at.get_or_insert_with(Instant::now);
                    if at.elapsed() > deadline_after_done {
                        return Err("written observations did not all become searchable");
                    }
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            Ok(())
        })
    };
    let mut acked = Vec::with_capacity(writes);
    let start = Instant::now();
    for i in 0..writes {
        post(client, token, &api("/observations"), json!({"hearing_id": hearing["id"], "notes": format!("benchstream fictional observation number {i}: the judge adjourned the hearing")})).await?;
        acked.push(Instant::now());
    }
    let write_rate = writes as f64 / start.elapsed().as_secs_f64();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    poller.await.ctx("poller")??;
    let seen = seen.lock().map_err(|_| "lock")?.clone();
    let mut latencies = Vec::with_capacity(writes);
    for (k, ack) in acked.iter().enumerate() {
        let visible = seen
            .iter()
            .find(|(total, _)| *total > k as u64)
            .map(|(_, at)| *at)
            .ok_or("a write never became searchable")?;
        latencies.push(visible.saturating_duration_since(*ack));
    }
    latencies.sort();
    Ok((latencies, write_rate))
}

impl ServiceReport {
    pub fn print(&self, queries: &[BenchQuery]) {
        println!(
            "\n### The service (`courtwatch serve`, release build, SQLite in a data directory)\n"
        );
        println!("| measure | value |");
        println!("|---|---:|");
        println!(
            "| `courtwatch import rulings` of the corpus | {:.1} s |",
            self.import.as_secs_f64()
        );
        println!(
            "| first start: index built from the database | {:.1} s |",
            self.first_build.as_secs_f64()
        );
        println!(
            "| peak resident memory during that build (VmHWM) | {} MB |",
            mb(self.build.peak * 1024)
        );
        println!(
            "| restart with the index present, until searchable | {:.2} s |",
            self.restart_ready.as_secs_f64()
        );
        println!(
            "| resident memory while serving, after the query runs (VmRSS) | {} MB |",
            mb(self.serving.rss * 1024)
        );
        println!(
            "| … of which heap (RssAnon) / memory-mapped index files (RssFile) | {} MB / {} MB |",
            mb(self.serving.anon * 1024),
            mb(self.serving.file * 1024)
        );
        println!(
            "| peak resident memory since the restart (VmHWM) | {} MB |",
            mb(self.serving.peak * 1024)
        );
        println!("| index directory | {} MB |", mb(self.index_bytes));

        println!("\n### Search over HTTP, limit 10, ms (median / p95)\n");
        println!(
            "| category | full response (exact total, facets, snippets) | top 10 only (facets=false, snippets=false) |"
        );
        println!("|---|---:|---:|");
        for category in CATEGORIES {
            let collect = |samples: &[Vec<Duration>]| {
                let mut all: Vec<Duration> = queries
                    .iter()
                    .zip(samples)
                    .filter(|(q, _)| q.category == category)
                    .flat_map(|(_, s)| s.iter().copied())
                    .collect();
                all.sort();
                format!(
                    "{} / {}",
                    ms(percentile(&all, 50.0)),
                    ms(percentile(&all, 95.0))
                )
            };
            println!(
                "| {category} | {} | {} |",
                collect(&self.full),
                collect(&self.top10)
            );
        }

        let l = &self.write_latencies;
        println!("\n### Write-to-searchable under a stream of observation writes\n");
        println!("| writes | write rate | p50 | p99 | max |");
        println!("|---:|---:|---:|---:|---:|");
        println!(
            "| {} | {:.0}/s | {} ms | {} ms | {} ms |",
            l.len(),
            self.write_rate,
            ms(percentile(l, 50.0)),
            ms(percentile(l, 99.0)),
            ms(l.last().copied().unwrap_or_default())
        );
    }
}
