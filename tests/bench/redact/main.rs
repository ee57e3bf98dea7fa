//! `cargo bench -p courtwatch-tests --bench redact`: redacting a 1 MB text against a case's 500
//! sensitive terms (issue 19 §6: the target is ≤ 50 ms), with the terms found through the index
//! (what the service runs) against trying every term at every word (the definition, and what the
//! service did before), in the same run. The text and the names are generated and fictional.

use std::time::{Duration, Instant};

use courtwatch_api::redact::{Redactor, Term, TermKind};

const FIRST: &[&str] = &[
    "Arbër",
    "Blerina",
    "Dardan",
    "Elira",
    "Fatlind",
    "Gentiana",
    "Ilir",
    "Jetmira",
    "Kujtim",
    "Lirije",
    "Mirlind",
    "Njomza",
    "Petrit",
    "Rrezarta",
    "Shpend",
    "Teuta",
    "Valdet",
    "Zana",
    "Dragoslav",
    "Jelisaveta",
    "Milorad",
    "Snežana",
    "Vukašin",
    "Živana",
    "Đorđe",
];
const LAST: &[&str] = &[
    "Bajraktari",
    "Dervishaj",
    "Gashiqi",
    "Hoxhaj",
    "Kelmendiu",
    "Lushtaku",
    "Mehmetaj",
    "Osmani",
    "Qerimaj",
    "Rexhepaj",
    "Sadikaj",
    "Thaqiri",
    "Zeqiraj",
    "Brankovićev",
    "Dražić",
    "Jakšić",
    "Lazarević",
    "Milošev",
    "Nedeljković",
    "Radulović",
    "Stojanović",
    "Vučetić",
    "Živković",
];

fn terms(n: usize) -> Vec<Term> {
    (0..n)
        .map(|i| Term {
            text: format!(
                "{} {}{}",
                FIRST[i % FIRST.len()],
                LAST[(i / FIRST.len()) % LAST.len()],
                ["", "i", "aj", "ović"][i / (FIRST.len() * LAST.len()) % 4]
            ),
            kind: TermKind::Name,
            pseudonym: None,
        })
        .collect()
}

/// About `bytes` of court prose, a name of the list in one sentence of ten.
fn text(bytes: usize, terms: &[Term]) -> String {
    let prose = [
        "The court heard the witness about the events at the school gate in the morning.",
        "Gjykata dëgjoi dëshmitarin për ngjarjet para shkollës në mëngjes, sipas procesverbalit.",
        "Sud je saslušao svedoka o događajima ispred škole, a zapisnik je pročitan naglas.",
        "The defence asked for an adjournment because the expert report was not complete.",
    ];
    let mut out = String::with_capacity(bytes + 200);
    let mut i = 0;
    while out.len() < bytes {
        if i % 10 == 3 {
            out.push_str(&format!("{} said so. ", terms[(i * 7) % terms.len()].text));
        } else {
            out.push_str(prose[i % prose.len()]);
            out.push(' ');
        }
        i += 1;
    }
    out
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn main() {
    let runs = 5;
    println!(
        "| terms | text | build | apply (index) | spans (index) | spans (every term at every word) | ratio |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (n, bytes) in [(50, 1_000_000), (500, 1_000_000), (500, 100_000)] {
        let list = terms(n);
        let sample = text(bytes, &list);
        let started = Instant::now();
        let redactor = Redactor::new(&list);
        let build = started.elapsed();
        let apply = median(
            (0..runs)
                .map(|_| {
                    let t = Instant::now();
                    let out = redactor.apply(&sample);
                    assert!(out.len() > bytes / 2);
                    t.elapsed()
                })
                .collect(),
        );
        let indexed = median(
            (0..runs)
                .map(|_| {
                    let t = Instant::now();
                    std::hint::black_box(redactor.spans_by_index(&sample));
                    t.elapsed()
                })
                .collect(),
        );
        let found = redactor.spans_by_index(&sample);
        // The old way once (it is slow); the same spans or the index is wrong.
        let t = Instant::now();
        let every = redactor.spans_by_trying_every_term(&sample);
        let linear = t.elapsed();
        assert_eq!(found, every, "the index and the definition disagree");
        println!(
            "| {n} | {:.1} MB | {:.1} ms | {:.1} ms | {:.1} ms ({found} spans) | {:.1} ms | {:.0}× |",
            bytes as f64 / 1e6,
            build.as_secs_f64() * 1e3,
            apply.as_secs_f64() * 1e3,
            indexed.as_secs_f64() * 1e3,
            linear.as_secs_f64() * 1e3,
            linear.as_secs_f64() / indexed.as_secs_f64()
        );
    }
}
