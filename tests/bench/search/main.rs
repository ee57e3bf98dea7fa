//! Search benchmark: courtwatch's index against SQLite FTS5 and PostgreSQL full-text search on the
//! shared case-law corpus, then the real service (memory while serving, latency over HTTP,
//! write-to-searchable latency under a stream of observation writes).
//!
//! Run: `cargo bench -p courtwatch-tests --bench search` (options after `--`, see `--help`).
//! The results table goes into BENCHMARKS.md. Nothing here is a pass/fail test: it measures and
//! prints; the targets are judged by reading the table.

mod adversarial;
#[path = "../common/mod.rs"]
mod common;
mod engines;
mod service;

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use clap::Parser;
use serde::Deserialize;

/// Command-line options.
#[derive(Debug, Parser)]
#[command(about = "courtwatch search benchmark (see BENCHMARKS.md)")]
struct Options {
    /// The corpus (JSON lines, optionally gzipped). Default: ../shared/data/rulings.jsonl.gz
    /// beside the repository.
    #[arg(long, env = "COURTWATCH_CORPUS")]
    corpus: Option<PathBuf>,
    /// PostgreSQL server URL (a scratch database is created there and dropped afterwards).
    #[arg(
        long,
        env = "COURTWATCH_TEST_POSTGRES",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    postgres: String,
    /// Timed repetitions of each query per engine (after one warm-up run).
    #[arg(long, default_value_t = 10)]
    runs: usize,
    /// Observations written in the write-to-searchable measurement.
    #[arg(long, default_value_t = 300)]
    writes: usize,
    /// Scratch directory (default: a new directory under the system temp dir, removed at the end).
    #[arg(long)]
    work_dir: Option<PathBuf>,
    /// Measure only the service (skip the engine comparison).
    #[arg(long)]
    service_only: bool,
    /// Only the engine comparison (skip the service), for work on query speed.
    #[arg(long)]
    engines_only: bool,
    /// Only time the index builds of courtwatch and FTS5, alternating, `--build-runs` times each
    /// (for work on build speed; no queries, no PostgreSQL, no service).
    #[arg(long)]
    build_only: bool,
    /// Builds per engine with `--build-only`.
    #[arg(long, default_value_t = 3)]
    build_runs: usize,
    /// Only run the adversarial queries (issue 19 §6) with and without the query limits.
    #[arg(long)]
    adversarial: bool,
    /// Skip PostgreSQL (when no server is at hand).
    #[arg(long)]
    no_postgres: bool,
    /// Print every query's hit counts and medians, not only the summary.
    #[arg(long)]
    verbose: bool,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

/// One corpus line (the fields the benchmark uses).
#[derive(Debug, Clone, Deserialize)]
pub struct Doc {
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub court: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub lang: String,
    #[serde(default)]
    pub text: String,
}

/// A benchmark query and its category.
#[derive(Debug, Clone)]
pub struct BenchQuery {
    pub category: String,
    pub text: String,
}

/// `?` with the failing step named.
pub trait Context<T> {
    fn ctx(self, what: &str) -> Result<T, String>;
}

impl<T, E: std::fmt::Display> Context<T> for Result<T, E> {
    fn ctx(self, what: &str) -> Result<T, String> {
        self.map_err(|e| format!("{what}: {e}"))
    }
}

/// Categories in report order.
pub const CATEGORIES: [&str; 5] = ["common", "rare", "phrase", "folded", "cyrillic"];

/// What one engine measured.
#[derive(Debug, Default)]
pub struct EngineReport {
    pub name: String,
    pub build: Duration,
    pub size_bytes: u64,
    pub notes: Vec<String>,
    /// Per query (same order as the query list): timed latencies and the number of matches.
    pub samples: Vec<Vec<Duration>>,
    pub hits: Vec<u64>,
}

impl EngineReport {
    fn category_samples(&self, queries: &[BenchQuery], category: &str) -> Vec<Duration> {
        let mut all: Vec<Duration> = queries
            .iter()
            .zip(&self.samples)
            .filter(|(q, _)| q.category == category)
            .flat_map(|(_, s)| s.iter().copied())
            .collect();
        all.sort();
        all
    }

    fn category_hits(&self, queries: &[BenchQuery], category: &str) -> (u64, usize) {
        let mut total = 0;
        let mut empty = 0;
        for (q, hits) in queries.iter().zip(&self.hits) {
            if q.category == category {
                total += hits;
                if *hits == 0 {
                    empty += 1;
                }
            }
        }
        (total, empty)
    }
}

/// The `p`-th percentile (nearest rank) of sorted samples.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 1.0 {
        format!("{ms:.3}")
    } else if ms < 100.0 {
        format!("{ms:.2}")
    } else {
        format!("{ms:.0}")
    }
}

pub fn mb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1_048_576.0)
}

fn load_queries() -> Vec<BenchQuery> {
    include_str!("queries.tsv")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (category, text) = l.split_once('\t').expect("category<TAB>query");
            assert!(
                CATEGORIES.contains(&category),
                "unknown category {category}"
            );
            BenchQuery {
                category: category.to_string(),
                text: text.to_string(),
            }
        })
        .collect()
}

fn load_corpus(path: &Path) -> std::io::Result<Vec<Doc>> {
    common::load_jsonl(path)
}

/// Total size of the files under `path`.
pub fn dir_size(path: &Path) -> u64 {
    let Ok(meta) = std::fs::metadata(path) else {
        return 0;
    };
    if meta.is_file() {
        return meta.len();
    }
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| dir_size(&e.path()))
                .sum()
        })
        .unwrap_or(0)
}

/// Times every query: one warm-up run, then `runs` timed runs, round-robin over the query list so
/// that no query profits from running right after itself.
pub async fn time_queries<F, Fut>(
    queries: &[BenchQuery],
    runs: usize,
    mut run: F,
) -> Result<Vec<Vec<Duration>>, String>
where
    F: FnMut(String) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    for q in queries {
        run(q.text.clone()).await?;
    }
    let mut samples = vec![Vec::with_capacity(runs); queries.len()];
    for _ in 0..runs {
        for (i, q) in queries.iter().enumerate() {
            let start = Instant::now();
            run(q.text.clone()).await?;
            samples[i].push(start.elapsed());
        }
    }
    Ok(samples)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let options = Options::parse();
    let corpus = options.corpus.clone().unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/rulings.jsonl.gz")
    });
    if !corpus.exists() {
        println!(
            "search benchmark skipped: no corpus at {} (give --corpus PATH or COURTWATCH_CORPUS)",
            corpus.display()
        );
        return;
    }
    if let Err(e) = run(options, &corpus).await {
        eprintln!("search benchmark failed: {e}");
        std::process::exit(1);
    }
}

async fn run(options: Options, corpus: &Path) -> Result<(), String> {
    let queries = load_queries();
    let started = Instant::now();
    let docs = load_corpus(corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
    let text_bytes: usize = docs.iter().map(|d| d.text.len() + d.title.len()).sum();
    println!(
        "corpus: {} ({} documents, {} MB of text, read in {:.1} s); {} queries, {} timed runs each",
        corpus.display(),
        docs.len(),
        mb(text_bytes as u64),
        started.elapsed().as_secs_f64(),
        queries.len(),
        options.runs
    );

    let (work, remove_work) = match &options.work_dir {
        Some(dir) => (dir.clone(), false),
        None => (
            std::env::temp_dir().join(format!("courtwatch-bench-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;

    let doc_count = docs.len() as u64;
    if options.adversarial {
        adversarial::run(&work, &docs, &queries, options.runs)?;
        if remove_work {
            let _ = std::fs::remove_dir_all(&work);
        }
        return Ok(());
    }
    if options.build_only {
        builds_only(&options, &work, &docs).await?;
        if remove_work {
            let _ = std::fs::remove_dir_all(&work);
        }
        return Ok(());
    }
    if !options.service_only {
        engines_part(&options, &work, &docs, &queries).await?;
    }
    drop(docs);
    if options.engines_only {
        if remove_work {
            let _ = std::fs::remove_dir_all(&work);
        }
        return Ok(());
    }

    eprintln!("measuring the service …");
    let service = service::measure(
        &work.join("service"),
        corpus,
        doc_count,
        &queries,
        options.runs,
        options.writes,
    )
    .await?;
    service.print(&queries);

    if remove_work {
        let _ = std::fs::remove_dir_all(&work);
    }
    println!(
        "\ntotal benchmark time: {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn builds_only(options: &Options, work: &Path, docs: &[Doc]) -> Result<(), String> {
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for run in 1..=options.build_runs {
        let dir = work.join("courtwatch");
        let (took, merge) = engines::build_courtwatch(&dir, docs)?;
        let size = dir_size(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        let file = work.join("fts5.sqlite");
        let (db, fts, _, _) = engines::build_fts5(&file, docs).await?;
        db.close().await.ctx("close")?;
        println!(
            "run {run}: courtwatch {:.2} s ({:.2} s of it the final merge; {} MB), FTS5 {:.2} s, \
             FTS5 / courtwatch {:.2}",
            took.as_secs_f64(),
            merge.as_secs_f64(),
            mb(size),
            fts.as_secs_f64(),
            fts.as_secs_f64() / took.as_secs_f64()
        );
        ours.push(took);
        theirs.push(fts);
    }
    ours.sort();
    theirs.sort();
    let (a, b) = (percentile(&ours, 50.0), percentile(&theirs, 50.0));
    println!(
        "median of {}: courtwatch {:.2} s, FTS5 {:.2} s, FTS5 / courtwatch {:.2}",
        options.build_runs,
        a.as_secs_f64(),
        b.as_secs_f64(),
        b.as_secs_f64() / a.as_secs_f64()
    );
    Ok(())
}

async fn engines_part(
    options: &Options,
    work: &Path,
    docs: &[Doc],
    queries: &[BenchQuery],
) -> Result<(), String> {
    let mut reports = Vec::new();
    eprintln!("building courtwatch index …");
    reports.push(engines::courtwatch(&work.join("courtwatch"), docs, queries, options.runs).await?);
    eprintln!("building SQLite FTS5 index …");
    reports.push(engines::fts5(&work.join("fts5.sqlite"), docs, queries, options.runs).await?);
    if options.no_postgres {
        println!("PostgreSQL skipped (--no-postgres)");
    } else {
        eprintln!("building PostgreSQL full-text index …");
        reports.push(engines::postgres(&options.postgres, docs, queries, options.runs).await?);
    }
    print_engine_tables(&reports, queries, docs.len() as u64, options.verbose);
    Ok(())
}

fn print_engine_tables(
    reports: &[EngineReport],
    queries: &[BenchQuery],
    doc_count: u64,
    verbose: bool,
) {
    let cw = &reports[0];
    println!(
        "\n### Index build (same documents; courtwatch writes with 2 indexing threads on this 2-core machine)\n"
    );
    println!("| engine | build (s) | index size (MB) | build vs courtwatch | notes |");
    println!("|---|---:|---:|---:|---|");
    for r in reports {
        println!(
            "| {} | {:.1} | {} | {:.2}× | {} |",
            r.name,
            r.build.as_secs_f64(),
            mb(r.size_bytes),
            r.build.as_secs_f64() / cw.build.as_secs_f64(),
            r.notes.join("; ")
        );
    }

    println!(
        "\n### Top-10 query latency in ms (median / p95 over every timed run of the category's queries)\n"
    );
    let mut header = String::from("| category | queries |");
    let mut rule = String::from("|---|---:|");
    for r in reports {
        header.push_str(&format!(" {} median | {} p95 |", r.name, r.name));
        rule.push_str("---:|---:|");
    }
    for r in &reports[1..] {
        header.push_str(&format!(" {} ÷ courtwatch (median) |", r.name));
        rule.push_str("---:|");
    }
    println!("{header}\n{rule}");
    for category in CATEGORIES {
        let n = queries.iter().filter(|q| q.category == category).count();
        let mut row = format!("| {category} | {n} |");
        let medians: Vec<Duration> = reports
            .iter()
            .map(|r| {
                let s = r.category_samples(queries, category);
                row.push_str(&format!(
                    " {} | {} |",
                    ms(percentile(&s, 50.0)),
                    ms(percentile(&s, 95.0))
                ));
                percentile(&s, 50.0)
            })
            .collect();
        for m in &medians[1..] {
            row.push_str(&format!(
                " {:.1}× |",
                m.as_secs_f64() / medians[0].as_secs_f64().max(1e-9)
            ));
        }
        println!("{row}");
    }

    println!(
        "\n### What each engine finds (documents matched, summed over the category; queries with no match)\n"
    );
    let mut header = String::from("| category |");
    let mut rule = String::from("|---|");
    for r in reports {
        header.push_str(&format!(" {} |", r.name));
        rule.push_str("---:|");
    }
    println!("{header}\n{rule}");
    for category in CATEGORIES {
        let mut row = format!("| {category} |");
        for r in reports {
            let (total, empty) = r.category_hits(queries, category);
            row.push_str(&format!(" {total} ({empty} empty) |"));
        }
        println!("{row}");
    }

    for (q, hits) in queries.iter().zip(&cw.hits) {
        if q.category == "common" && *hits * 10 <= doc_count {
            println!(
                "warning: common query {:?} matches only {hits} documents",
                q.text
            );
        }
    }

    if verbose {
        println!("\n### Per query (matches; median ms)\n");
        let mut header = String::from("| category | query |");
        let mut rule = String::from("|---|---|");
        for r in reports {
            header.push_str(&format!(" {} |", r.name));
            rule.push_str("---:|");
        }
        println!("{header}\n{rule}");
        for (i, q) in queries.iter().enumerate() {
            let mut row = format!("| {} | `{}` |", q.category, q.text);
            for r in reports {
                let mut s = r.samples[i].clone();
                s.sort();
                row.push_str(&format!(" {}; {} |", r.hits[i], ms(percentile(&s, 50.0))));
            }
            println!("{row}");
        }
    }
}
