//! The property the `search_query` fuzz target (`fuzz/`) checks, kept here so that the committed
//! corpus also runs as an ordinary test on stable Rust (`tests/fuzz_corpus.rs`).

use crate::{
    analysis,
    query::{self, MAX_QUERY_CHARS, Node},
};

/// Parses `data` (as UTF-8, lossily, as a query string arrives) with the query language and runs
/// the text analysis over it, panicking if a property does not hold:
/// - neither ever panics;
/// - a parse error points at a column inside the query (or just past its end) and says why;
/// - a parsed query has no empty words or phrases, and no `All` inside a combination;
/// - folding is idempotent (a folded word folds to itself), so query and index agree.
pub fn check_query(data: &[u8]) {
    let input = String::from_utf8_lossy(data);
    match query::parse(&input) {
        Err(err) => {
            let length = input.chars().count().min(MAX_QUERY_CHARS);
            assert!(
                err.column >= 1 && err.column <= length + 1,
                "column {} outside a query of {length} characters: {err}",
                err.column
            );
            assert!(!err.message.trim().is_empty(), "an error without a reason");
        }
        Ok(node) => check_node(&node, 0),
    }
    let mut folded = analysis::folded();
    for language in analysis::Language::STEMMED {
        let _ = analysis::stems(language, &input);
    }
    for language in analysis::Language::STEMMED {
        let _ = analysis::tokens(&mut analysis::words(), &analysis::tag(language, &input));
    }
    let _ = analysis::tokens(&mut analysis::words(), &input);
    for token in analysis::tokens(&mut folded, &input) {
        let mut again = String::new();
        analysis::fold_word(&token, &mut again);
        assert_eq!(again, token, "folding {token:?} again changed it");
    }
}

fn check_node(node: &Node, depth: usize) {
    assert!(
        depth <= query::MAX_DEPTH + 1,
        "nesting deeper than the parser allows"
    );
    match node {
        Node::Word { text, .. } | Node::Phrase { text, .. } => {
            assert!(!text.trim().is_empty(), "an empty term in {node:?}");
        }
        Node::And(children) | Node::Or(children) => {
            for child in children {
                assert!(!matches!(child, Node::All), "All inside {node:?}");
                check_node(child, depth + 1);
            }
        }
        Node::Not(child) => check_node(child, depth + 1),
        Node::All => {}
    }
}
