//! Relevance benchmark (issue 24): recall@100 and nDCG@10 of courtwatch before and after the
//! region's languages were stemmed, SQLite FTS5 (porter unicode61) and PostgreSQL (the `simple`
//! configuration with `unaccent`), on one judged query set (`queries.tsv`, whose header says how
//! its relevant documents were chosen), in one run. Also how far a query reaches into documents
//! of other languages through their stemmers (false conflations across languages).
//!
//! Run: `cargo bench -p courtwatch-tests --bench relevance` (`-- --help` for options). It measures
//! and prints; nothing here passes or fails.

#[path = "../common/mod.rs"]
mod common;
mod engines;

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    path::{Path, PathBuf},
};

use clap::Parser;
use courtwatch_indexer::analysis;
use serde::Deserialize;

#[derive(Debug, Parser)]
#[command(about = "courtwatch relevance benchmark (see BENCHMARKS.md)")]
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
    /// Skip PostgreSQL.
    #[arg(long)]
    no_postgres: bool,
    /// Print every query's figures.
    #[arg(long)]
    verbose: bool,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

/// One corpus line.
#[derive(Debug, Clone, Deserialize)]
pub struct Doc {
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub court: String,
    #[serde(default)]
    pub lang: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub conclusion: String,
}

impl Doc {
    /// The language group of the query set: en, fr, sr or sq.
    fn group(&self) -> &str {
        self.lang.split('-').next().unwrap_or("")
    }
}

/// A judged query.
struct Judged {
    language: String,
    kind: String,
    query: String,
    relevant: BTreeSet<String>,
}

/// The engines' answers: the ids of the top 100, best first.
pub type Ranking = Vec<String>;

fn folded_words(text: &str) -> BTreeSet<String> {
    analysis::tokens(&mut analysis::folded(), text)
        .into_iter()
        .collect()
}

/// The relevant documents of one line of `queries.tsv` (its header explains each kind).
fn relevant(
    spec: &str,
    language: &str,
    docs: &[Doc],
    words: &[BTreeSet<String>],
) -> BTreeSet<String> {
    let (kind, arg) = spec.split_once(':').unwrap_or((spec, ""));
    let mut out = BTreeSet::new();
    for (d, w) in docs.iter().zip(words) {
        let hit = match kind {
            "forms" => {
                d.group() == language
                    && arg
                        .split(',')
                        .any(|f| folded_words(f).iter().all(|x| w.contains(x)))
            }
            "article" => d.id.starts_with("mne:") && cites_article(&d.text, arg),
            "echr-v14" => {
                d.id.starts_with("echr:")
                    && (d.conclusion.contains("Violation of Article 14")
                        || french_v14(&d.conclusion))
            }
            "echr-v14-fr" => {
                d.id.starts_with("echr:") && d.group() == "fr" && french_v14(&d.conclusion)
            }
            "ids" => arg.split(',').any(|id| id == d.id),
            _ => panic!("unknown relevance {spec}"),
        };
        if hit {
            out.insert(d.id.clone());
        }
    }
    out
}

/// Whether a French conclusion finds a violation of Article 14 ("Violation de l'art. 14+8", not
/// "Non-violation de l'article 14").
fn french_v14(conclusion: &str) -> bool {
    let article = regex::Regex::new(r"^Violation de l'(?:art\.|article|Art\.)\s*14\b").ok();
    conclusion
        .split(';')
        .any(|part| article.as_ref().is_some_and(|re| re.is_match(part.trim())))
}

/// Whether a Montenegrin judgment cites article `n` of the Criminal Code: "čl. n" or "člana n",
/// then within 80 characters "Krivičnog zakonika" or "KZ".
fn cites_article(text: &str, n: &str) -> bool {
    let pattern =
        format!(r"(?i)čl(?:an\w*|\.)\s*{n}\b[^.]{{0,80}}?(?:krivičnog\s+zakonika|\bKZ\b)");
    regex::Regex::new(&pattern).is_ok_and(|re| re.is_match(text))
}

fn recall_at(ranking: &Ranking, relevant: &BTreeSet<String>, k: usize) -> f64 {
    if relevant.is_empty() {
        return 0.0;
    }
    let found = ranking
        .iter()
        .take(k)
        .filter(|id| relevant.contains(*id))
        .count();
    found as f64 / relevant.len().min(k) as f64
}

fn ndcg_at(ranking: &Ranking, relevant: &BTreeSet<String>, k: usize) -> f64 {
    let dcg: f64 = ranking
        .iter()
        .take(k)
        .enumerate()
        .filter(|(_, id)| relevant.contains(*id))
        .map(|(i, _)| 1.0 / ((i + 2) as f64).log2())
        .sum();
    let ideal: f64 = (0..relevant.len().min(k))
        .map(|i| 1.0 / ((i + 2) as f64).log2())
        .sum();
    if ideal == 0.0 { 0.0 } else { dcg / ideal }
}

fn load_corpus(path: &Path) -> std::io::Result<Vec<Doc>> {
    common::load_jsonl(path)
}

/// The fictional Albanian documents (`albanian.tsv`).
fn albanian() -> Vec<Doc> {
    include_str!("albanian.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .map(|(id, text)| Doc {
            id: id.into(),
            title: "Fictional".into(),
            court: String::new(),
            lang: "sq".into(),
            text: text.into(),
            conclusion: String::new(),
        })
        .collect()
}

#[tokio::main]
async fn main() {
    let options = Options::parse();
    let corpus = options.corpus.clone().unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/rulings.jsonl.gz")
    });
    if !corpus.exists() {
        println!(
            "relevance benchmark skipped: no corpus at {}",
            corpus.display()
        );
        return;
    }
    if let Err(e) = run(&options, &corpus).await {
        eprintln!("relevance benchmark failed: {e}");
        std::process::exit(1);
    }
}

async fn run(options: &Options, corpus: &Path) -> Result<(), String> {
    let mut docs = load_corpus(corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
    docs.extend(albanian());
    let words: Vec<BTreeSet<String>> = docs.iter().map(|d| folded_words(&d.text)).collect();
    let mut judged = Vec::new();
    for line in include_str!("queries.tsv").lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [language, kind, query, spec] = cols[..] else {
            return Err(format!("queries.tsv: bad line {line:?}"));
        };
        judged.push(Judged {
            language: language.into(),
            kind: kind.into(),
            query: query.into(),
            relevant: relevant(spec, language, &docs, &words),
        });
    }
    let queries: Vec<String> = judged.iter().map(|j| j.query.clone()).collect();
    println!(
        "corpus: {} documents ({} of them the fictional Albanian set); {} judged queries",
        docs.len(),
        albanian().len(),
        judged.len()
    );
    let work = std::env::temp_dir().join(format!("courtwatch-relevance-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let mut results: Vec<(&str, Vec<Ranking>)> = Vec::new();
    results.push((
        "courtwatch before (English stemming for every text)",
        engines::courtwatch(&work.join("before"), &docs, &queries, true)?,
    ));
    results.push((
        "courtwatch",
        engines::courtwatch(&work.join("after"), &docs, &queries, false)?,
    ));
    results.push((
        "SQLite FTS5",
        engines::fts5(&work.join("fts5.db"), &docs, &queries).await?,
    ));
    if !options.no_postgres {
        results.push((
            "PostgreSQL",
            engines::postgres(&options.postgres, &docs, &queries).await?,
        ));
    }
    let conflations = engines::conflations(&work.join("after"), &docs, &judged_pairs(&judged))?;
    let _ = std::fs::remove_dir_all(&work);

    // Summary per language, then per language and kind.
    let mut groups: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, j) in judged.iter().enumerate() {
        groups
            .entry((j.language.clone(), String::new()))
            .or_default()
            .push(i);
        groups
            .entry((j.language.clone(), j.kind.clone()))
            .or_default()
            .push(i);
    }
    println!("\n#### Mean recall@100 / nDCG@10 per language and kind of query\n");
    let mut header = "| queries | n | relevant docs (mean) |".to_string();
    let mut rule = "|---|---:|---:|".to_string();
    for (name, _) in &results {
        header.push_str(&format!(" {name} |"));
        rule.push_str("---:|");
    }
    println!("{header}\n{rule}");
    for ((language, kind), members) in &groups {
        let label = if kind.is_empty() {
            format!("**{language}, all**")
        } else {
            format!("{language}, {kind}")
        };
        let mean_relevant = members
            .iter()
            .map(|&i| judged[i].relevant.len())
            .sum::<usize>() as f64
            / members.len() as f64;
        let mut row = format!("| {label} | {} | {mean_relevant:.0} |", members.len());
        for (_, rankings) in &results {
            let n = members.len() as f64;
            let r: f64 = members
                .iter()
                .map(|&i| recall_at(&rankings[i], &judged[i].relevant, 100))
                .sum::<f64>()
                / n;
            let g: f64 = members
                .iter()
                .map(|&i| ndcg_at(&rankings[i], &judged[i].relevant, 10))
                .sum::<f64>()
                / n;
            row.push_str(&format!(" {r:.3} / {g:.3} |"));
        }
        println!("{row}");
    }
    if options.verbose {
        println!("\n#### Per query: relevant; recall@100 / nDCG@10 per engine\n");
        for (i, j) in judged.iter().enumerate() {
            let mut row = format!(
                "| {} | {} | `{}` | {} |",
                j.language,
                j.kind,
                j.query,
                j.relevant.len()
            );
            for (_, rankings) in &results {
                row.push_str(&format!(
                    " {:.2} / {:.2} |",
                    recall_at(&rankings[i], &j.relevant, 100),
                    ndcg_at(&rankings[i], &j.relevant, 10)
                ));
            }
            println!("{row}");
        }
    }
    println!("\n#### Reach into documents of another language (courtwatch, stemmed vs exact)\n");
    println!(
        "| query language | queries | documents of other languages matched stemmed | … of them matched exactly too | only through another language's stemmer |"
    );
    println!("|---|---:|---:|---:|---:|");
    let mut by_language: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for ((language, _), (stemmed, exact)) in judged
        .iter()
        .map(|j| (j.language.as_str(), ()))
        .zip(&conflations)
    {
        let e = by_language.entry(language).or_default();
        e.0 += 1;
        e.1 += stemmed;
        e.2 += exact;
    }
    for (language, (n, stemmed, exact)) in by_language {
        println!(
            "| {language} | {n} | {stemmed} | {exact} | {} |",
            stemmed - exact
        );
    }
    if options.verbose {
        println!(
            "\n#### Reach per query (the queries that reach other languages' documents only through stemming)\n"
        );
        println!(
            "| query language | query | matched stemmed | … exactly too | only through stemming |"
        );
        println!("|---|---|---:|---:|---:|");
        let mut rows: Vec<(&Judged, usize, usize)> = judged
            .iter()
            .zip(&conflations)
            .filter(|(_, (stemmed, exact))| stemmed > exact)
            .map(|(j, &(stemmed, exact))| (j, stemmed, exact))
            .collect();
        rows.sort_by_key(|(_, stemmed, exact)| std::cmp::Reverse(stemmed - exact));
        for (j, stemmed, exact) in rows {
            println!(
                "| {} | `{}` | {stemmed} | {exact} | {} |",
                j.language,
                j.query,
                stemmed - exact
            );
        }
    }
    Ok(())
}

/// (query, its language) for the reach measurement.
fn judged_pairs(judged: &[Judged]) -> Vec<(String, String)> {
    judged
        .iter()
        .map(|j| (j.query.clone(), j.language.clone()))
        .collect()
}

/// Shorthand for the engines.
pub fn index_of(docs: &[Doc]) -> HashMap<&str, usize> {
    docs.iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect()
}
