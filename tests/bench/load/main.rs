//! `cargo bench -p courtwatch-tests --bench load`: one real `courtwatch serve` (release build)
//! under concurrent searches, list reads and observation writes for a fixed time, on SQLite (with
//! `synchronous=FULL`, the default, and with `NORMAL`) and then on PostgreSQL. Prints, per operation, the requests done, throughput, p50/p99/max latency
//! and the error count (every non-2xx answer and every failed connection is an error; the run
//! lists them). Also counts `database is locked` in the server's log, which must stay 0.
//!
//! Data are fictional and generated: one court, 20 cases, 100 hearings and `--seed-observations`
//! observations written through the API before the clock starts.
//!
//! Options: `--seconds N` (default 30 per backend), `--searchers N` (4), `--readers N` (4),
//! `--writers N` (2), `--seed-observations N` (1,000), `--no-postgres`, `--postgres URL`.

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use clap::Parser;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_courtwatch-under-test");

#[derive(Debug, Parser)]
struct Options {
    /// Seconds of load per backend.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// Concurrent clients searching.
    #[arg(long, default_value_t = 4)]
    searchers: usize,
    /// Concurrent clients reading lists.
    #[arg(long, default_value_t = 4)]
    readers: usize,
    /// Concurrent clients writing observations.
    #[arg(long, default_value_t = 2)]
    writers: usize,
    /// Observations written before the load starts.
    #[arg(long, default_value_t = 1000)]
    seed_observations: usize,
    /// Skip PostgreSQL.
    #[arg(long)]
    no_postgres: bool,
    /// PostgreSQL server (a scratch database is created and dropped on it).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres: String,
    /// cargo passes --bench.
    #[arg(long, hide = true)]
    bench: bool,
}

/// Words the generated notes are made of, so that searches find something.
const WORDS: &[&str] = &[
    "the",
    "judge",
    "adjourned",
    "hearing",
    "interpreter",
    "Roma",
    "pupils",
    "segregated",
    "school",
    "witness",
    "prosecutor",
    "insults",
    "public",
    "courtroom",
    "late",
    "defence",
    "diskriminacija",
    "suđenje",
    "svjedok",
    "gjykata",
    "seanca",
    "dëshmitari",
    "Ашкалија",
    "суд",
    "hate",
    "speech",
    "reacted",
    "minutes",
    "closed",
    "translation",
];

/// Queries the searchers cycle through: common and rare terms, a phrase, folded and Cyrillic
/// spellings, boolean syntax and a prefix.
const QUERIES: &[&str] = &[
    "judge",
    "adjourned",
    "\"hate speech\"",
    "interpreter AND late",
    "roma OR ashkali",
    "sudjenje",
    "суђење",
    "dëshmitari",
    "deshmitari",
    "segregat*",
    "witness -prosecutor",
    "courtroom",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    Search,
    ListObservations,
    ListCases,
    WriteObservation,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Search => "search (GET /search, full response)",
            Op::ListObservations => "list (GET /observations?limit=50)",
            Op::ListCases => "list (GET /cases?limit=50)",
            Op::WriteObservation => "write (POST /observations)",
        }
    }
}

#[derive(Default)]
struct Record {
    samples: Vec<(Op, Duration)>,
    errors: Vec<(Op, String)>,
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn command(data_dir: &Path, database_url: Option<&str>, synchronous: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env(courtwatch_api::db::SQLITE_SYNCHRONOUS_ENV, synchronous);
    cmd.arg("--data-dir").arg(data_dir);
    match database_url {
        Some(url) => cmd.env("DATABASE_URL", url),
        None => cmd.env_remove("DATABASE_URL"),
    };
    cmd
}

async fn start(
    data_dir: &Path,
    database_url: Option<&str>,
    synchronous: &str,
) -> Result<Server, String> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("free port: {e}"))?;
    let log = data_dir.join("server.log");
    let log_file = std::fs::File::create(&log).map_err(|e| format!("log: {e}"))?;
    let child = command(data_dir, database_url, synchronous)
        .env("RUST_LOG", "warn")
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(log_file)
        .spawn()
        .map_err(|e| format!("start server: {e}"))?;
    let base = format!("http://127.0.0.1:{port}");
    let server = Server { child, base };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = reqwest::get(format!("{}/readyz", server.base)).await
            && r.status().is_success()
        {
            return Ok(server);
        }
        if Instant::now() > deadline {
            return Err("the server did not become ready".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

fn notes(rng: &mut Rng) -> String {
    let mut text = String::from("[fictional load-test note] ");
    for _ in 0..40 {
        let word: &&str = rng.pick(WORDS);
        text.push_str(word);
        text.push(' ');
    }
    text
}

fn observation(rng: &mut Rng, hearing_id: &str) -> Value {
    json!({
        "hearing_id": hearing_id,
        "answers": {"public_admitted": *rng.pick(&["yes", "no"]), "interpreter_needed": *rng.pick(&["yes", "no"])},
        "notes": notes(rng),
    })
}

async fn post(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    path: &str,
    body: &Value,
) -> Result<Value, String> {
    let response = client
        .post(format!("{base}/api/v1{path}"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .map_err(|e| format!("{path}: {e}"))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| format!("{path}: {e}"))?;
    if !status.is_success() {
        return Err(format!("{path}: {status} {text}"));
    }
    serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))
}

/// One court, 20 cases, 100 hearings, then the seed observations; returns the hearing ids.
async fn seed(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    observations: usize,
) -> Result<Vec<String>, String> {
    let court = post(client, base, token, "/courts", &json!({"name": "Basic Court of Loadtown (fictional)", "level": "basic", "jurisdiction": "XK"})).await?;
    let court_id = court["id"].as_str().ok_or("court id")?.to_owned();
    let mut hearings = Vec::new();
    for c in 0..20 {
        let case = post(
            client,
            base,
            token,
            "/cases",
            &json!({
                "court_id": court_id, "case_number": format!("LOAD {c}/26"),
                "title": format!("[fictional] Load-test case {c}"),
                "proceeding_type": "civil_antidiscrimination", "grounds": ["roma_ashkali_egyptian"],
            }),
        )
        .await?;
        let case_id = case["id"].as_str().ok_or("case id")?.to_owned();
        for h in 0..5 {
            let hearing = post(
                client,
                base,
                token,
                "/hearings",
                &json!({
                    "case_id": case_id,
                    "scheduled_at": format!("2026-0{}-1{}T09:00:00+01:00", 1 + h, c % 10),
                    "hearing_type": "main_evidentiary", "outcome": "held",
                }),
            )
            .await?;
            hearings.push(hearing["id"].as_str().ok_or("hearing id")?.to_owned());
        }
    }
    let mut rng = Rng(0x5eed);
    for i in 0..observations {
        let hearing = &hearings[i % hearings.len()];
        post(
            client,
            base,
            token,
            "/observations",
            &observation(&mut rng, hearing),
        )
        .await?;
    }
    Ok(hearings)
}

async fn client_loop(
    op_mix: Vec<Op>,
    seed: u64,
    base: String,
    token: String,
    hearings: Arc<Vec<String>>,
    until: Instant,
    record: Arc<Mutex<Record>>,
) {
    let client = reqwest::Client::new();
    let mut rng = Rng(seed);
    let mut local = Record::default();
    while Instant::now() < until {
        let op = *rng.pick(&op_mix);
        let started = Instant::now();
        let result = match op {
            Op::Search => {
                let q = rng.pick(QUERIES);
                client
                    .get(format!("{base}/api/v1/search"))
                    .query(&[("q", *q), ("limit", "10")])
                    .bearer_auth(&token)
                    .send()
                    .await
            }
            Op::ListObservations => {
                client
                    .get(format!("{base}/api/v1/observations?limit=50"))
                    .bearer_auth(&token)
                    .send()
                    .await
            }
            Op::ListCases => {
                client
                    .get(format!("{base}/api/v1/cases?limit=50"))
                    .bearer_auth(&token)
                    .send()
                    .await
            }
            Op::WriteObservation => {
                let hearing = rng.pick(&hearings).clone();
                client
                    .post(format!("{base}/api/v1/observations"))
                    .bearer_auth(&token)
                    .json(&observation(&mut rng, &hearing))
                    .send()
                    .await
            }
        };
        let outcome = match result {
            Ok(response) => {
                let status = response.status();
                match response.bytes().await {
                    Ok(_) if status.is_success() => Ok(()),
                    Ok(body) => Err(format!("{status} {}", String::from_utf8_lossy(&body))),
                    Err(e) => Err(format!("reading the body: {e}")),
                }
            }
            Err(e) => Err(e.to_string()),
        };
        let took = started.elapsed();
        match outcome {
            Ok(()) => local.samples.push((op, took)),
            Err(e) => local.errors.push((op, e)),
        }
    }
    let mut shared = record.lock().expect("record");
    shared.samples.extend(local.samples);
    shared.errors.extend(local.errors);
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2}")
    } else {
        format!("{ms:.1}")
    }
}

async fn run(
    options: &Options,
    label: &str,
    database_url: Option<&str>,
    synchronous: &str,
) -> Result<(), String> {
    let data_dir =
        std::env::temp_dir().join(format!("courtwatch-load-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&data_dir).map_err(|e| format!("work dir: {e}"))?;
    let org = command(&data_dir, database_url, synchronous)
        .args(["org", "add", "Load Coalition (fictional)"])
        .output();
    if !org.as_ref().is_ok_and(|o| o.status.success()) {
        return Err(format!("org add: {org:?}"));
    }
    let output = command(&data_dir, database_url, synchronous)
        .args([
            "user",
            "add",
            "--name",
            "Load Admin (fictional)",
            "--org",
            "Load Coalition (fictional)",
            "--role",
            "admin",
        ])
        .output()
        .map_err(|e| format!("user add: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "user add: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let token = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let server = start(&data_dir, database_url, synchronous).await?;
    let client = reqwest::Client::new();
    let seeding = Instant::now();
    let hearings = Arc::new(seed(&client, &server.base, &token, options.seed_observations).await?);
    eprintln!(
        "{label}: seeded {} observations in {:.1} s",
        options.seed_observations,
        seeding.elapsed().as_secs_f64()
    );

    let record = Arc::new(Mutex::new(Record::default()));
    let until = Instant::now() + Duration::from_secs(options.seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    let mut spawn = |mix: Vec<Op>, seed: u64| {
        tasks.push(tokio::spawn(client_loop(
            mix,
            seed,
            server.base.clone(),
            token.clone(),
            hearings.clone(),
            until,
            record.clone(),
        )));
    };
    for i in 0..options.searchers {
        spawn(vec![Op::Search], 1 + i as u64);
    }
    for i in 0..options.readers {
        spawn(vec![Op::ListObservations, Op::ListCases], 101 + i as u64);
    }
    for i in 0..options.writers {
        spawn(vec![Op::WriteObservation], 201 + i as u64);
    }
    for task in tasks {
        task.await.map_err(|e| format!("client task: {e}"))?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    drop(server);
    let log = std::fs::read_to_string(data_dir.join("server.log")).unwrap_or_default();
    let locked = log.matches("database is locked").count();
    let logged_errors = log.lines().filter(|l| l.contains("ERROR")).count();
    let _ = std::fs::remove_dir_all(&data_dir);

    let record = record.lock().expect("record");
    println!();
    println!(
        "#### {label}: {:.0} s, {} searchers, {} list readers, {} writers",
        elapsed, options.searchers, options.readers, options.writers
    );
    println!();
    println!("| operation | requests | per second | p50 ms | p99 ms | max ms | errors |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut total = 0;
    for op in [
        Op::Search,
        Op::ListObservations,
        Op::ListCases,
        Op::WriteObservation,
    ] {
        let mut times: Vec<Duration> = record
            .samples
            .iter()
            .filter(|(o, _)| *o == op)
            .map(|(_, d)| *d)
            .collect();
        times.sort_unstable();
        let errors = record.errors.iter().filter(|(o, _)| *o == op).count();
        total += times.len();
        println!(
            "| {} | {} | {:.0} | {} | {} | {} | {} |",
            op.name(),
            times.len(),
            times.len() as f64 / elapsed,
            ms(percentile(&times, 50.0)),
            ms(percentile(&times, 99.0)),
            ms(times.last().copied().unwrap_or_default()),
            errors
        );
    }
    println!(
        "| all | {total} | {:.0} | | | | {} |",
        total as f64 / elapsed,
        record.errors.len()
    );
    println!();
    println!(
        "`database is locked` in the server log: {locked}; ERROR lines in the server log: {logged_errors}"
    );
    for (op, error) in record.errors.iter().take(10) {
        println!(
            "error: {}: {}",
            op.name(),
            error.chars().take(300).collect::<String>()
        );
    }
    Ok(())
}

async fn scratch_database(admin_url: &str) -> Result<(String, String), String> {
    use sea_orm::{ConnectionTrait, Database};
    let name = format!("courtwatch_load_{}", uuid::Uuid::now_v7().simple());
    let admin = Database::connect(admin_url)
        .await
        .map_err(|e| format!("postgres: {e}"))?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .map_err(|e| format!("create database: {e}"))?;
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b.to_owned())
        .ok_or("postgres url")?;
    Ok((format!("{base}/{name}"), name))
}

async fn drop_database(admin_url: &str, name: &str) {
    use sea_orm::{ConnectionTrait, Database};
    if let Ok(admin) = Database::connect(admin_url).await {
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await;
    }
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let options = Options::parse();
    println!(
        "### Load: courtwatch serve (release) under concurrent searches, list reads and observation writes"
    );
    run(
        &options,
        "SQLite, synchronous=FULL (the default)",
        None,
        "full",
    )
    .await?;
    run(&options, "SQLite, synchronous=NORMAL", None, "normal").await?;
    if !options.no_postgres {
        let (url, name) = scratch_database(&options.postgres).await?;
        let result = run(&options, "PostgreSQL", Some(&url), "full").await;
        drop_database(&options.postgres, &name).await;
        result?;
    }
    Ok(())
}
