//! Adversarial queries (issue 19 §6): prefixes that expand to much of the dictionary, long ORs,
//! nested NOTs, long phrases. Each is run with the service's limits and with none, on the same
//! index, so the table shows both what a refused query would have cost and that every accepted
//! one stays fast. The fixed query set is checked too: the limits must refuse none of it.

use std::{path::Path, time::Instant};

use courtwatch_indexer::{QueryLimits, SearchIndex, SearchRequest};

use crate::{BenchQuery, Context, Doc, engines, ms};

/// What the search page asks for: a page of 20, with counts per facet and snippets.
fn request(query: &str) -> SearchRequest {
    engines::by_relevance(query, 20, true)
}

/// Distinct words of the corpus's first documents (letters only, 4 or more), in order of appearance.
fn corpus_words(docs: &[Doc], n: usize) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for d in docs {
        for w in d.text.split(|c: char| !c.is_alphabetic()) {
            if w.chars().count() >= 4 && seen.insert(w.to_lowercase()) {
                out.push(w.to_lowercase());
                if out.len() == n {
                    return out;
                }
            }
        }
    }
    out
}

/// (what it tries, the query).
fn queries(docs: &[Doc]) -> Vec<(String, String)> {
    let letters: Vec<String> = ('a'..='z').map(|c| format!("{c}*")).collect();
    let pairs: Vec<String> = ('a'..='z')
        .flat_map(|a| ['a', 'e', 'i', 'o', 'u', 'r'].map(move |b| format!("{a}{b}*")))
        .collect();
    let words = corpus_words(docs, 300);
    let phrase = |n: usize| {
        let w: Vec<&str> = words.iter().take(n).map(String::as_str).collect();
        format!("\"{}\"", w.join(" "))
    };
    let mut long_or = String::new();
    for w in &words {
        if long_or.len() + w.len() + 4 > 1_990 {
            break;
        }
        if !long_or.is_empty() {
            long_or.push_str(" OR ");
        }
        long_or.push_str(w);
    }
    let nested = format!("{}court{}", "-(".repeat(15), ")".repeat(15));
    vec![
        ("one-letter prefix".into(), "a*".into()),
        (
            "300 × `a*` joined by OR".into(),
            vec!["a*"; 300].join(" OR "),
        ),
        (
            "26 one-letter prefixes joined by OR".into(),
            letters.join(" OR "),
        ),
        (
            "156 two-letter prefixes joined by OR".into(),
            pairs.join(" OR "),
        ),
        ("three-letter prefix".into(), "pro*".into()),
        ("prefix in the court name".into(), "court:b*".into()),
        (
            "distinct words joined by OR, to the 2,000-character limit".into(),
            long_or,
        ),
        (
            "100 distinct words, all required".into(),
            words[..100].join(" "),
        ),
        ("15 nested NOTs".into(), nested),
        ("NOT of a prefix".into(), "NOT a*".into()),
        ("NOT of a common word".into(), "-court".into()),
        ("phrase of 8 words".into(), phrase(8)),
        ("phrase of 32 words".into(), phrase(32)),
        ("phrase of 60 words".into(), phrase(60)),
        (
            "prefixes in groups with NOT".into(),
            "(a* OR b*) AND (c* OR d*) -e*".into(),
        ),
        (
            "common phrase with a prefix".into(),
            "\"the court\" discrim*".into(),
        ),
    ]
}

/// Median of `runs` timings of `f` (one warm-up run first), with its result.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (std::time::Duration, T) {
    let mut result = f();
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        result = f();
        samples.push(start.elapsed());
    }
    samples.sort();
    (samples[samples.len() / 2], result)
}

pub fn run(work: &Path, docs: &[Doc], fixed: &[BenchQuery], runs: usize) -> Result<(), String> {
    let dir = work.join("adversarial");
    eprintln!("building courtwatch index …");
    engines::build_courtwatch(&dir, docs)?;
    let index = SearchIndex::open(&dir).ctx("reopen index")?;

    let refused: Vec<&BenchQuery> = fixed
        .iter()
        .filter(|q| index.search(&request(&q.text)).is_err())
        .collect();
    println!(
        "\nfixed query set: {} queries, {} refused by the limits{}",
        fixed.len(),
        refused.len(),
        refused
            .iter()
            .map(|q| format!(" `{}`", q.text))
            .collect::<String>()
    );

    let limits = QueryLimits::DEFAULT;
    println!(
        "\n### Adversarial queries (ms, median of {runs}; limits: {} term lookups, {} prefix words, \
         {} words a phrase; page of 20 with facets and snippets)\n",
        limits.term_lookups, limits.prefix_terms, limits.phrase_words
    );
    println!("| query | characters | no limits (ms) | matches | with the limits |");
    println!("|---|---:|---:|---:|---|");
    let mut slowest_accepted = std::time::Duration::ZERO;
    for (what, query) in queries(docs) {
        // A query that would take seconds unbounded is timed once.
        let probe = Instant::now();
        let _ = index.search_within(&request(&query), QueryLimits::NONE);
        let unbounded_runs = if probe.elapsed().as_secs_f64() > 1.0 {
            1
        } else {
            runs
        };
        let (unbounded, found) = time(unbounded_runs, || {
            index.search_within(&request(&query), QueryLimits::NONE)
        });
        let (bounded, answer) = time(runs, || index.search(&request(&query)));
        let verdict = match answer {
            Ok(_) => {
                slowest_accepted = slowest_accepted.max(bounded);
                format!("accepted, {} ms", ms(bounded))
            }
            Err(e) => format!("refused in {} ms: {e}", ms(bounded)),
        };
        println!(
            "| {what} | {} | {} | {} | {verdict} |",
            query.chars().count(),
            ms(unbounded),
            found.map_or_else(|e| format!("error: {e}"), |r| r.total.to_string()),
        );
    }
    println!(
        "\nslowest accepted adversarial query: {} ms (target ≤ 200 ms)",
        ms(slowest_accepted)
    );
    drop(index);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
