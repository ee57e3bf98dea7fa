//! `cargo bench -p courtwatch-tests --bench export`: exporting observations.csv over HTTP from the
//! real service against the database's own CSV writers on the same rows (`sqlite3 -csv`, and
//! `psql \copy … to stdout csv` on PostgreSQL), and the service's peak memory during an export of
//! a small and of a large data set. Data are generated, fictional, and deterministic.
//!
//! Options: `--rows N` (default 1,000,000 observations), `--small N` (default 10,000),
//! `--no-postgres`, `--postgres URL` (default postgres://postgres@127.0.0.1:5432/postgres),
//! `--work-dir DIR` (default a new temporary folder, removed at the end).

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use clap::Parser;
use courtwatch_tests::generated::generate;
use futures_util::StreamExt;
use sea_orm::{ConnectionTrait, Statement};

const BIN: &str = env!("CARGO_BIN_EXE_courtwatch-under-test");

#[derive(Debug, Parser)]
struct Options {
    /// Observations in the large data set.
    #[arg(long, default_value_t = 1_000_000)]
    rows: usize,
    /// Observations in the small data set.
    #[arg(long, default_value_t = 10_000)]
    small: usize,
    /// Skip PostgreSQL.
    #[arg(long)]
    no_postgres: bool,
    /// PostgreSQL server (a database is created and dropped on it).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres: String,
    /// Only PostgreSQL (skip the SQLite runs).
    #[arg(long)]
    postgres_only: bool,
    /// Keep the PostgreSQL database (its name is printed) for inspection.
    #[arg(long)]
    keep_postgres: bool,
    /// Where the data sets go (kept when given).
    #[arg(long)]
    work_dir: Option<PathBuf>,
    /// Only export every file of a SQLite data set of `--rows` observations and print each file's
    /// SHA-256, size and lines: run it with one build, then with another on the same `--work-dir`
    /// (the data set is generated once and reused), to check that both write the same bytes.
    #[arg(long)]
    checksums: bool,
    /// cargo passes --bench.
    #[arg(long, hide = true)]
    bench: bool,
}

/// The files `--checksums` compares: every dataset (rulings with their full text), each again with
/// labels and a filter, and the codebook.
const CHECKED_FILES: &[&str] = &[
    "cases.csv",
    "parties.csv",
    "hearings.csv",
    "observations.csv",
    "observations.csv?labels=sr",
    "rulings.csv?full_text=true",
    "cases.csv?labels=sq&bom=true",
    "parties.csv?labels=en",
    "hearings.csv?labels=sr&jurisdiction=RS",
    "observations.csv?q=judge&filed_from=2022-01-01",
    "rulings.csv?labels=en&jurisdiction=XK",
    "codebook.csv",
    "codebook.json",
];

/// `--checksums`: the data set under `work` (generated on the first run, its token kept beside
/// it), every file of [`CHECKED_FILES`] downloaded from the current build, hashed.
async fn checksums(work: &Path, rows: usize) -> Result<(), String> {
    use sha2::Digest;
    let dir = work.join(format!("sqlite-{rows}"));
    let token_file = dir.join("bench-token");
    let token = match std::fs::read_to_string(&token_file) {
        Ok(token) if dir.join("courtwatch.db").exists() => {
            eprintln!("reusing the data set in {}", dir.display());
            token.trim().to_owned()
        }
        _ => {
            let _ = std::fs::remove_dir_all(&dir);
            eprintln!(
                "generating {rows} observations in SQLite ({})",
                dir.display()
            );
            let (token, generated) = prepare(&dir, None, rows).await?;
            eprintln!("  generated in {:.1} s", generated.as_secs_f64());
            std::fs::write(&token_file, &token).ctx("keep the token")?;
            token
        }
    };
    let server = Server::start(&dir, None).await?;
    println!("| file | bytes | lines | SHA-256 |");
    println!("|---|---:|---:|---|");
    for file in CHECKED_FILES {
        let response = reqwest::Client::new()
            .get(format!("{}/api/v1/datasets/{file}", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .ctx(file)?;
        if !response.status().is_success() {
            return Err(format!("{file}: {}", response.status()));
        }
        let mut stream = response.bytes_stream();
        let (mut hash, mut bytes, mut lines) = (sha2::Sha256::new(), 0u64, 0u64);
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.ctx(file)?;
            hash.update(&chunk);
            bytes += chunk.len() as u64;
            lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        }
        let digest: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
        println!("| {file} | {bytes} | {lines} | {digest} |");
    }
    Ok(())
}

trait Ctx<T> {
    fn ctx(self, what: &str) -> Result<T, String>;
}

impl<T, E: std::fmt::Display> Ctx<T> for Result<T, E> {
    fn ctx(self, what: &str) -> Result<T, String> {
        self.map_err(|e| format!("{what}: {e}"))
    }
}

/// The same columns the service exports before the answers, with the answers as stored (JSON),
/// for the database's own CSV writer.
const SQL: &str = "SELECT o.id, o.hearing_id, h.case_id, o.methodology_version, o.status, \
    o.submitted_at, o.notes, o.answers, o.created_at, o.updated_at FROM observations o \
    JOIN hearings h ON h.id = o.hearing_id WHERE o.status = 'published' ORDER BY o.id";

fn cli(data_dir: &Path, database_url: Option<&str>) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("--data-dir").arg(data_dir).env("RUST_LOG", "warn");
    match database_url {
        Some(url) => cmd.env("DATABASE_URL", url),
        None => cmd.env_remove("DATABASE_URL"),
    };
    cmd
}

fn run_cli(mut cmd: Command, what: &str) -> Result<String, String> {
    let out = cmd.output().ctx(what)?;
    if !out.status.success() {
        return Err(format!("{what}: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Runs a command and counts the bytes it writes to stdout.
fn time_command(mut cmd: Command, what: &str) -> Result<(Duration, u64), String> {
    use std::io::Read;
    let started = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .ctx(what)?;
    let mut stdout = child.stdout.take().ok_or("stdout")?;
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = stdout.read(&mut buf).ctx(what)?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
    }
    let status = child.wait().ctx(what)?;
    if !status.success() {
        return Err(format!("{what} failed"));
    }
    Ok((started.elapsed(), bytes))
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(data_dir: &Path, database_url: Option<&str>) -> Result<Self, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .ctx("free port")?;
        let child = cli(data_dir, database_url)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .ctx("serve")?;
        let server = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(1800);
        while Instant::now() < deadline {
            if let Ok(r) = client.get(format!("{}/readyz", server.base)).send().await
                && r.status().is_success()
            {
                return Ok(server);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Err("the server did not become ready".into())
    }

    fn status_kb(&self, name: &str) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix(name))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
            .unwrap_or(0)
    }

    /// Resets the peak resident set size (VmHWM) to the current one.
    fn reset_peak(&self) -> Result<(), String> {
        std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5").ctx("clear_refs")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One export over HTTP: time, bytes, lines, and the service's memory.
struct Export {
    time: Duration,
    bytes: u64,
    lines: u64,
    rss_before_kb: u64,
    peak_kb: u64,
}

async fn export(server: &Server, token: &str) -> Result<Export, String> {
    server.reset_peak()?;
    let rss_before_kb = server.status_kb("VmRSS:");
    let started = Instant::now();
    let response = reqwest::Client::new()
        .get(format!("{}/api/v1/datasets/observations.csv", server.base))
        .bearer_auth(token)
        .send()
        .await
        .ctx("export")?;
    if !response.status().is_success() {
        return Err(format!("export: {}", response.status()));
    }
    let mut stream = response.bytes_stream();
    let (mut bytes, mut lines) = (0u64, 0u64);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.ctx("export body")?;
        bytes += chunk.len() as u64;
        lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
    }
    Ok(Export {
        time: started.elapsed(),
        bytes,
        lines,
        rss_before_kb,
        peak_kb: server.status_kb("VmHWM:"),
    })
}

/// A data set in a database: built, indexed, exported by the service.
async fn prepare(
    dir: &Path,
    database_url: Option<&str>,
    rows: usize,
) -> Result<(String, Duration), String> {
    std::fs::create_dir_all(dir).ctx("work dir")?;
    let mut org = cli(dir, database_url);
    org.args(["org", "add", "Benchmark (fictional)"]);
    run_cli(org, "org add")?;
    let mut add = cli(dir, database_url);
    add.args([
        "user",
        "add",
        "--name",
        "Benchmark (fictional)",
        "--org",
        "Benchmark (fictional)",
        "--role",
        "admin",
    ]);
    let token = run_cli(add, "user add")?;
    let url = match database_url {
        Some(url) => url.to_string(),
        None => format!("sqlite://{}?mode=rwc", dir.join("courtwatch.db").display()),
    };
    let db = courtwatch_api::db::connect(&url).await.ctx("connect")?;
    let user: String = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT id FROM users LIMIT 1",
        ))
        .await
        .ctx("user")?
        .and_then(|r| r.try_get::<String>("", "id").ok())
        .ok_or("no user")?;
    let started = Instant::now();
    generate(&db, &user, rows).await?;
    let generated = started.elapsed();
    if database_url.is_some() {
        // Planner statistics and a vacuumed table, as autovacuum leaves them on a live server
        // after a bulk load (without statistics PostgreSQL sorts the table for every keyset
        // batch; without the vacuum, whichever export reads the new rows first also pays for
        // setting their hint bits, which put the service, measured first, at a disadvantage).
        db.execute_unprepared("VACUUM ANALYZE")
            .await
            .ctx("vacuum analyze")?;
    }
    db.close().await.ctx("close")?;
    // Build the search index before serving, so that the service's memory is the export's.
    let mut reindex = cli(dir, database_url);
    reindex.arg("reindex");
    run_cli(reindex, "reindex")?;
    Ok((token, generated))
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

struct Row {
    engine: String,
    rows: usize,
    time: Duration,
    bytes: u64,
}

#[tokio::main]
async fn main() {
    let options = Options::parse();
    if let Err(e) = run(options).await {
        eprintln!("export benchmark: {e}");
        std::process::exit(1);
    }
}

async fn run(options: Options) -> Result<(), String> {
    let (work, keep) = match &options.work_dir {
        Some(dir) => (dir.clone(), true),
        None => (
            std::env::temp_dir().join(format!(
                "courtwatch-export-bench-{}",
                uuid::Uuid::now_v7().simple()
            )),
            false,
        ),
    };
    if options.checksums {
        if options.work_dir.is_none() {
            return Err(
                "--checksums needs --work-dir, to compare two builds on one data set".into(),
            );
        }
        return checksums(&work, options.rows).await;
    }
    let mut table: Vec<Row> = Vec::new();
    let mut memory: Vec<(String, usize, Export)> = Vec::new();
    let sizes = if options.postgres_only {
        Vec::new()
    } else {
        vec![options.small, options.rows]
    };
    for rows in sizes {
        let dir = work.join(format!("sqlite-{rows}"));
        eprintln!(
            "generating {rows} observations in SQLite ({})",
            dir.display()
        );
        let (token, generated) = prepare(&dir, None, rows).await?;
        eprintln!("  generated in {:.1} s", generated.as_secs_f64());
        let server = Server::start(&dir, None).await?;
        let e = export(&server, &token).await?;
        if e.lines != rows as u64 + 1 {
            return Err(format!("export of {rows} rows gave {} lines", e.lines));
        }
        table.push(Row {
            engine: "courtwatch over HTTP (SQLite)".into(),
            rows,
            time: e.time,
            bytes: e.bytes,
        });
        memory.push(("SQLite".into(), rows, e));
        drop(server);
        let mut sqlite = Command::new("sqlite3");
        sqlite
            .args(["-csv", "-header"])
            .arg(dir.join("courtwatch.db"))
            .arg(SQL);
        let (time, bytes) = time_command(sqlite, "sqlite3 -csv")?;
        table.push(Row {
            engine: "sqlite3 -csv".into(),
            rows,
            time,
            bytes,
        });
    }
    if !options.no_postgres {
        let name = format!("cw_export_bench_{}", uuid::Uuid::now_v7().simple());
        let admin = courtwatch_api::db::connect(&options.postgres)
            .await
            .ctx("postgres")?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .ctx("create database")?;
        let base = options
            .postgres
            .rsplit_once('/')
            .map_or(options.postgres.as_str(), |(b, _)| b);
        let url = format!("{base}/{name}");
        let result = async {
            let rows = options.rows;
            let dir = work.join("postgres");
            eprintln!("generating {rows} observations in PostgreSQL ({name})");
            let (token, generated) = prepare(&dir, Some(&url), rows).await?;
            eprintln!("  generated in {:.1} s", generated.as_secs_f64());
            let server = Server::start(&dir, Some(&url)).await?;
            let e = export(&server, &token).await?;
            table.push(Row {
                engine: "courtwatch over HTTP (PostgreSQL)".into(),
                rows,
                time: e.time,
                bytes: e.bytes,
            });
            memory.push(("PostgreSQL".into(), rows, e));
            drop(server);
            let mut psql = Command::new("psql");
            psql.args([
                "-q",
                "-X",
                &url,
                "-c",
                &format!("\\copy ({SQL}) to stdout csv header"),
            ]);
            let (time, bytes) = time_command(psql, "psql \\copy")?;
            table.push(Row {
                engine: "psql \\copy … to stdout csv".into(),
                rows,
                time,
                bytes,
            });
            Ok::<(), String>(())
        }
        .await;
        if options.keep_postgres {
            eprintln!("kept PostgreSQL database {name}");
        } else {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
        result?;
    }
    if !keep {
        let _ = std::fs::remove_dir_all(&work);
    }

    println!("\n### observations.csv export: throughput\n");
    println!("| engine | rows | time | rows/s | MB | MB/s |");
    println!("|---|---:|---:|---:|---:|---:|");
    for r in &table {
        let s = r.time.as_secs_f64();
        println!(
            "| {} | {} | {:.2} s | {:.0} | {:.1} | {:.1} |",
            r.engine,
            r.rows,
            s,
            r.rows as f64 / s,
            r.bytes as f64 / 1e6,
            r.bytes as f64 / 1e6 / s
        );
    }
    println!(
        "\n### ratio: courtwatch rows/s ÷ the database's own CSV writer rows/s (target ≥ 0.5)\n"
    );
    println!("| backend | rows | ratio |");
    println!("|---|---:|---:|");
    for pair in table.chunks(2) {
        if let [ours, theirs] = pair {
            println!(
                "| {} | {} | {:.2} |",
                theirs.engine,
                ours.rows,
                theirs.time.as_secs_f64() / ours.time.as_secs_f64()
            );
        }
    }
    println!("\n### service memory during the export (VmHWM reset before each export)\n");
    println!("| backend | rows | RSS before | peak during export | growth during export |");
    println!("|---|---:|---:|---:|---:|");
    for (backend, rows, e) in &memory {
        println!(
            "| {backend} | {rows} | {:.1} MB | {:.1} MB | {:.1} MB |",
            mb(e.rss_before_kb),
            mb(e.peak_kb),
            mb(e.peak_kb.saturating_sub(e.rss_before_kb))
        );
    }
    if let [(_, small, a), (_, large, b), ..] = memory.as_slice() {
        println!(
            "\npeak from {small} to {large} rows (SQLite): {:+.1} MB (target < 50 MB)",
            mb(b.peak_kb) - mb(a.peak_kb)
        );
    }
    Ok(())
}
